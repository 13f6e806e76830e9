"""action_hotline: the phone number to call, from the knowledge base only.

Which number: the named department's organisation; else, if the message asks about a topic beyond the
number and the engine finds it in scope, that answer (it includes the hotline); else the organisation the
message mentions ("公积金热线", "HRSS hotline"); else the organisation of the last department discussed;
else both.
When a department is involved, a department_info payload (no evidence) follows the text.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import messages, payload
from actions.answer import answer_if_in_scope
from actions.context import Turn, TurnAction, known_ids, named_department, slot_list
from common.vocabulary import HOTLINE_REQUEST_EN, HOTLINE_REQUEST_ZH
from retrieval import Engine

# Words of a bare hotline request; what is left over is a topic ("...about my work injury claim").
_ZH_FILLER = re.compile("|".join(HOTLINE_REQUEST_ZH))


def has_topic(text: str, engine: Engine) -> bool:
    """True when the message asks about something beyond the phone number (and whose it is) itself."""
    text = engine.without_org_mentions(text)
    words = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in HOTLINE_REQUEST_EN]
    han = re.findall(r"[\u3400-\u9fff]", _ZH_FILLER.sub("", text))
    return len(words) >= 2 or len(han) >= 2


class ActionHotline(TurnAction):
    def name(self) -> str:
        return "action_hotline"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, engine: Engine, turn: Turn) -> list[Any]:
        named = named_department(turn, engine)
        if named:
            d = engine.describe(named)
            dispatcher.utter_message(text=messages.hotline_for(d, turn.language))
            payload.send(dispatcher, "department_info", turn.language, [(d, [])])
            return []
        if has_topic(turn.text, engine):  # "which number do I call about my work injury claim?"
            answered = answer_if_in_scope(dispatcher, engine, turn)
            if answered is not None:
                return answered
        org_id = engine.named_org(turn.text)
        if org_id:
            org = engine.knowledge.organizations[org_id]
            dispatcher.utter_message(text=messages.hotline_org(org.name, org.zh, org.hotline, turn.language))
            return []
        last = known_ids(slot_list(tracker, "last_departments"), engine)
        orgs = {engine.knowledge.get(i).org for i in last}
        if len(orgs) == 1:
            d = engine.describe(last[0])
            dispatcher.utter_message(text=messages.hotline_for(d, turn.language))
            payload.send(dispatcher, "department_info", turn.language, [(d, [])])
            return []
        dispatcher.utter_message(text=messages.hotlines_all(engine.knowledge, turn.language))
        return []

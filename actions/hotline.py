"""action_hotline: the phone number to call, from the knowledge base only.

Which number: the named department's organisation; else the organisation the message mentions
("公积金热线", "HRSS hotline"); else the organisation of the last department discussed; else both.
When a department is involved, a department_info payload (no evidence) follows the text.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import messages, payload
from actions.context import apologise_on_error, known_ids, named_department, read_turn, slot_list
from actions.engine import get_engine

_ORG_MENTIONS = {
    "hpf": re.compile(r"公积金|provident|housing fund|\bhpf\b", re.I),
    "hrss": re.compile(r"人社|人力资源|社保|社会保障|social security|social insurance|\bhrss\b|\bhr bureau\b", re.I),
}


def mentioned_org(text: str) -> str | None:
    hits = [org for org, pattern in _ORG_MENTIONS.items() if pattern.search(text)]
    return hits[0] if len(hits) == 1 else None


class ActionHotline(Action):
    def name(self) -> str:
        return "action_hotline"

    @apologise_on_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[Any]:
        engine = get_engine()
        turn = read_turn(tracker, engine)
        named = named_department(turn, engine)
        if named:
            d = engine.describe(named)
            dispatcher.utter_message(text=messages.hotline_for(d, turn.language))
            payload.send(dispatcher, "department_info", turn.language, [(d, [])])
            return []
        org_id = mentioned_org(turn.text)
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

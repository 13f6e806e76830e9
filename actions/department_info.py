"""Actions about a named department and follow-ups in context.

- action_department_info: "What does the Wage Office do?" / "工资处是做什么的？" — the department (from the
  NLU entity, else the engine's name matcher) and its first duties; if no department is named after all,
  the question is answered like a who-handles question.
- action_department_more: "what else do they handle?" / "那个部门还管什么？" — the duties of the last
  department not shown yet (slots `last_departments`, `shown_duties`).
- action_organization: "which organisation is that?" — the organisation and hotline of the last department(s).
Without any department in context, both answer the message as a question if the engine finds it in scope
(NLU may have mistaken a question for a follow-up), else ask which department is meant.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages, payload
from actions.answer import answer_if_in_scope, respond
from actions.context import Turn, TurnAction, known_ids, named_department, slot_list
from retrieval import Engine, Evidence

PAGE = 5  # duties per message


def _texts(evidence: list[Evidence], language: str) -> list[str]:
    return [e.text(language) for e in evidence]


class ActionDepartmentInfo(TurnAction):
    def name(self) -> str:
        return "action_department_info"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, engine: Engine, turn: Turn) -> list[Any]:
        dept_id = named_department(turn, engine)
        if dept_id is None:
            return respond(dispatcher, engine, turn)
        d = engine.describe(dept_id)
        page = list(d.evidence[:PAGE])
        more = len(d.evidence) > PAGE
        texts = _texts(page, turn.language)
        dispatcher.utter_message(text=messages.department_info(d, texts, more, turn.language))
        payload.send(dispatcher, "department_info", turn.language, [(d, texts)], more=more)
        return [
            SlotSet("last_departments", [dept_id]),
            SlotSet("shown_duties", list(range(len(page)))),
            SlotSet("candidates", None),
            SlotSet("pending_question", None),
        ]


class ActionDepartmentMore(TurnAction):
    def name(self) -> str:
        return "action_department_more"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, engine: Engine, turn: Turn) -> list[Any]:
        named = named_department(turn, engine)
        last = known_ids(slot_list(tracker, "last_departments"), engine)
        dept_id = named or (last[0] if last else None)
        if dept_id is None:
            answered = answer_if_in_scope(dispatcher, engine, turn)
            if answered is not None:
                return answered
            dispatcher.utter_message(text=messages.which_department(turn.language))
            return []
        d = engine.describe(dept_id)
        shown = (
            set()
            if named and named not in last[:1]
            else {i for i in slot_list(tracker, "shown_duties") if isinstance(i, int)}
        )
        remaining = [i for i in range(len(d.evidence)) if i not in shown]
        if not remaining:
            texts = _texts(list(d.evidence), turn.language)
            dispatcher.utter_message(text=messages.all_duties_shown(d, len(d.evidence), turn.language))
            payload.send(dispatcher, "department_info", turn.language, [(d, texts)], more=False)
            return [SlotSet("last_departments", [dept_id])]
        page = remaining[:PAGE]
        texts = [d.evidence[i].text(turn.language) for i in page]
        more = len(remaining) > PAGE
        dispatcher.utter_message(text=messages.more_duties(d, texts, more, turn.language))
        payload.send(dispatcher, "department_info", turn.language, [(d, texts)], more=more)
        return [SlotSet("last_departments", [dept_id]), SlotSet("shown_duties", sorted(shown | set(page)))]


class ActionOrganization(TurnAction):
    def name(self) -> str:
        return "action_organization"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, engine: Engine, turn: Turn) -> list[Any]:
        named = named_department(turn, engine)
        ids = [named] if named else known_ids(slot_list(tracker, "last_departments"), engine)
        if not ids:
            answered = answer_if_in_scope(dispatcher, engine, turn)
            if answered is not None:
                return answered
            dispatcher.utter_message(text=messages.which_department(turn.language))
            return []
        departments = [engine.describe(i) for i in ids[:3]]
        dispatcher.utter_message(text="\n".join(messages.organization(d, turn.language) for d in departments))
        payload.send(dispatcher, "department_info", turn.language, [(d, []) for d in departments])
        return [SlotSet("last_departments", ids[:3])]

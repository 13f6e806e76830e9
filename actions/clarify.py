"""action_choose_option: the user's choice after a clarification.

The choice arrives as a button click (`/choose_option{"department": "hpf.loans"}` — the entity is the id),
as an ordinal ("the second one", "第二个", "2", "最后一个") resolved against slot `candidates` (the buttons'
order), or as a department name. The chosen department is answered like a direct answer, with the duty
sentences that best match the question that led to the clarification (slot `pending_question`).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.answer import respond, send_answer
from actions.context import Turn, TurnAction, known_ids, named_department, slot_list
from retrieval import Engine, RankedDepartment

_LAST = re.compile(r"\blast\b|最后")
_EN_ORDINALS = [
    re.compile(r"\b(first|1st|one|top)\b"),
    re.compile(r"\b(second|2nd|two)\b"),
    re.compile(r"\b(third|3rd|three)\b"),
]
_ZH_ORDINALS = [re.compile(r"第\s*[一1]"), re.compile(r"第\s*[二两2]"), re.compile(r"第\s*[三3]")]
_DIGIT = re.compile(r"(?<!\d)([1-9])(?!\d)")
_ZH_NUMERAL = {"一": 0, "二": 1, "两": 1, "三": 2}


def parse_choice(text: str, count: int) -> int | None:
    """0-based index of the option `text` picks among `count`, or None."""
    folded = text.lower().strip()
    if _LAST.search(folded):
        return count - 1 if count else None
    for patterns in (_ZH_ORDINALS, _EN_ORDINALS):
        for index in (1, 2, 0):  # "the second one" must not match "one"
            if patterns[index].search(folded):
                return index if index < count else None
    digit = _DIGIT.search(folded)
    if digit:
        index = int(digit.group(1)) - 1
        return index if index < count else None
    if len(folded) <= 6:  # "选二", "二", "选项三"
        for char, index in _ZH_NUMERAL.items():
            if char in folded:
                return index if index < count else None
    return None


def ranked_for(engine: Engine, dept_id: str, question: str | None) -> RankedDepartment:
    """`dept_id` with the evidence that best matches `question` (or its first duties without one)."""
    if question:
        result = engine.ask(question, k=len(engine.knowledge.departments))
        for d in result.departments:
            if d.id == dept_id:
                return d
    return engine.describe(dept_id)


class ActionChooseOption(TurnAction):
    def name(self) -> str:
        return "action_choose_option"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, engine: Engine, turn: Turn) -> list[Any]:
        candidates = known_ids(slot_list(tracker, "candidates"), engine)
        chosen = named_department(turn, engine)
        if chosen is None and candidates:
            index = parse_choice(turn.text, len(candidates))
            chosen = candidates[index] if index is not None else None
        if chosen is None:
            if candidates:
                options = [engine.describe(i) for i in candidates]
                buttons = [
                    {
                        "title": messages.clarify_button(n, d, turn.language),
                        "payload": f'/choose_option{{"department":"{d.id}"}}',
                    }
                    for n, d in enumerate(options, start=1)
                ]
                dispatcher.utter_message(text=messages.choice_not_understood(options, turn.language), buttons=buttons)
                return []
            if not turn.is_payload and parse_choice(turn.text, 3) is None:
                # Not a choice after all: treat it as a question.
                return respond(dispatcher, engine, turn)
            dispatcher.utter_message(text=messages.nothing_to_choose(turn.language))
            return []
        question = tracker.get_slot("pending_question")
        return send_answer(dispatcher, ranked_for(engine, chosen, question), turn.language)

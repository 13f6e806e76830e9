"""action_answer: which department handles the user's question.

The retrieval engine decides: "answer" → the department, its organisation, 1–3 duty sentences and the
hotline; "clarify" → buttons for the top 2–3 departments (actions/clarify.py handles the choice);
"no_answer" → an honest "not covered" with both hotlines, and the question is recorded for the knowledge
base's maintainers (feedback.store); "other_city" → this assistant covers Shanghai, and 12333 / 12329 are
the numbers to call in that city too.

The engine alone decides whether a question is in the domain: for out_of_scope and nlu_fallback the action
runs like for any question. (It used to answer those only on a clear "answer"; NLU's out-of-scope examples
are our own writing, and real questions about services it had not seen were refused.)
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages, payload
from actions.context import Turn, TurnAction
from retrieval import Answer, Engine, Evidence, RankedDepartment
from retrieval.types import MAX_OPTIONS

logger = logging.getLogger(__name__)

MAX_EVIDENCE = 3
EVIDENCE_SPREAD = 0.1  # show a further duty only if it scores within this of the best one


def pick_evidence(d: RankedDepartment) -> list[Evidence]:
    """1–3 duties that justify `d`, best first."""
    if not d.evidence:
        return []
    best = d.evidence[0].score
    return [e for e in d.evidence[:MAX_EVIDENCE] if e.score >= best - EVIDENCE_SPREAD] or list(d.evidence[:1])


def evidence_texts(d: RankedDepartment, language: str) -> list[str]:
    return [e.text(language) for e in pick_evidence(d)]


def send_answer(
    dispatcher: CollectingDispatcher,
    d: RankedDepartment,
    language: str,
    also: tuple[RankedDepartment, ...] = (),
) -> list[Any]:
    """The department answer (with any department that is `also` possible after it): text, then the payload;
    slots remember the department for follow-ups."""
    chosen = pick_evidence(d)
    evidence = [e.text(language) for e in chosen]
    dispatcher.utter_message(text=messages.answer(d, evidence, language, also))
    departments = [(d, evidence)] + [(other, evidence_texts(other, language)) for other in also]
    payload.send(dispatcher, "department_answer", language, departments)
    shown = [e.duty - 1 for e in chosen]
    return [
        SlotSet("last_departments", [d.id]),
        SlotSet("shown_duties", shown),
        SlotSet("candidates", None),
        SlotSet("pending_question", None),
    ]


def send_clarify(dispatcher: CollectingDispatcher, result: Answer, turn: Turn) -> list[Any]:
    options = list(result.offered)
    evidence = [evidence_texts(d, turn.language) for d in options]
    buttons = [
        {"title": messages.clarify_button(n, d, turn.language), "payload": f'/choose_option{{"department":"{d.id}"}}'}
        for n, d in enumerate(options, start=1)
    ]
    dispatcher.utter_message(text=messages.clarify(options, evidence, turn.language), buttons=buttons)
    payload.send(dispatcher, "clarify", turn.language, list(zip(options, evidence, strict=True)))
    ids = [d.id for d in options]
    return [
        SlotSet("candidates", ids),
        SlotSet("pending_question", turn.text),
        SlotSet("last_departments", ids),
        SlotSet("shown_duties", []),
    ]


_store_lock = threading.Lock()
_store: Any = None


def record_unanswered(sender: str, question: str, language: str) -> None:
    """Keep the question for whoever maintains knowledge/ (never fails the answer)."""
    global _store
    try:
        from feedback.store import FeedbackStore
    except ImportError:  # the feedback package is optional
        return
    try:
        with _store_lock:
            if _store is None:
                _store = FeedbackStore()
        _store.record_unanswered(sender, question, language)
    except Exception:
        logger.warning("could not record an unanswered question", exc_info=True)


def send_no_answer(dispatcher: CollectingDispatcher, engine: Engine, turn: Turn) -> list[Any]:
    dispatcher.utter_message(text=messages.no_answer(engine.knowledge, turn.language))
    payload.send(dispatcher, "no_answer", turn.language, [])
    if turn.text and not turn.is_payload:
        record_unanswered(turn.sender, turn.text, turn.language)
    return [SlotSet("candidates", None), SlotSet("pending_question", None)]


def send_found(
    dispatcher: CollectingDispatcher, engine: Engine, result: Answer, turn: Turn, clarify: bool = True
) -> list[Any] | None:
    """Send the answer (or, if `clarify`, the clarification) the engine found; None (nothing sent) otherwise."""
    if result.verdict == "answer" and result.top is not None:
        return send_answer(dispatcher, result.top, turn.language, result.offered[1:])
    if result.verdict == "clarify" and clarify and len(result.departments) >= 2:
        return send_clarify(dispatcher, result, turn)
    return None


def send_other_city(dispatcher: CollectingDispatcher, engine: Engine, result: Answer, turn: Turn) -> list[Any]:
    dispatcher.utter_message(text=messages.other_city(engine.knowledge, result.place or "", turn.language))
    payload.send(dispatcher, "other_city", turn.language, [])
    return [SlotSet("candidates", None), SlotSet("pending_question", None)]


def respond(dispatcher: CollectingDispatcher, engine: Engine, turn: Turn) -> list[Any]:
    """Ask the engine about the turn's text and send the answer, clarification, other-city note or no-answer."""
    result = engine.ask(turn.text, k=MAX_OPTIONS)
    if result.verdict == "other_city":
        return send_other_city(dispatcher, engine, result, turn)
    found = send_found(dispatcher, engine, result, turn)
    return found if found is not None else send_no_answer(dispatcher, engine, turn)


def answer_if_in_scope(dispatcher: CollectingDispatcher, engine: Engine, turn: Turn) -> list[Any] | None:
    """Answer (or clarify) the turn as a question when the engine finds it in scope; None (nothing sent)
    on a no_answer verdict.

    For follow-up intents that arrive without context ("what else?" as a first message): NLU may have
    mistaken a real question for a follow-up, so an engine answer beats a "which department?".
    """
    if turn.is_payload or not turn.text:
        return None
    result = engine.ask(turn.text, k=MAX_OPTIONS)
    if result.verdict == "other_city":
        return send_other_city(dispatcher, engine, result, turn)
    return send_found(dispatcher, engine, result, turn)


class ActionAnswer(TurnAction):
    def name(self) -> str:
        return "action_answer"

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, engine: Engine, turn: Turn) -> list[Any]:
        return respond(dispatcher, engine, turn)

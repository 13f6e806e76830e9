"""What an action needs from the tracker: the user's text, language, named department and slots.

Language: the reply follows the user's latest message (retrieval.detect_language), except when the message
carries no language — a button click ("/choose_option{...}") or a bare "2" — where the previous language
(slot `language`) is kept, so a Chinese user clicking a button still gets Chinese.
"""

from __future__ import annotations

import functools
import logging
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import get_engine
from retrieval import Engine, detect_language

logger = logging.getLogger(__name__)

_HAS_LETTERS = re.compile(r"[A-Za-z\u3400-\u9fff]")


@dataclass(frozen=True)
class Turn:
    """The latest user message, as the actions see it."""

    sender: str
    text: str
    intent: str | None
    language: str
    department_ids: list[str] = field(default_factory=list)  # from NLU entities, longest mention first
    is_payload: bool = False  # a button click: "/intent{...}"


def read_turn(tracker: Tracker, engine: Engine) -> Turn:
    message = tracker.latest_message or {}
    text = (message.get("text") or "").strip()
    intent = (message.get("intent") or {}).get("name")
    is_payload = text.startswith("/")
    if is_payload or not _HAS_LETTERS.search(text):
        language = tracker.get_slot("language") or "en"
        language = language if language in ("en", "zh") else "en"
    else:
        language = detect_language(text)
    mentions = [
        e
        for e in message.get("entities") or []
        if e.get("entity") == "department" and isinstance(e.get("value"), str) and e["value"] in engine.knowledge
    ]
    mentions.sort(key=lambda e: -((e.get("end") or 0) - (e.get("start") or 0)))
    ids = list(dict.fromkeys(e["value"] for e in mentions))
    return Turn(tracker.sender_id, text, intent, language, ids, is_payload)


def named_department(turn: Turn, engine: Engine) -> str | None:
    """The department the message names. Typed text: the engine's name matcher first (it takes the longest
    name and the organisation named with it: "公积金中心信访办公室" is the Provident Fund Center's Office, not
    the HRSS Letters and Calls Office), else NLU's entity. Button payloads: the entity they carry."""
    if not turn.is_payload:
        matched = engine.find_department(turn.text)
        if matched:
            return matched
    return turn.department_ids[0] if turn.department_ids else None


def slot_list(tracker: Tracker, name: str) -> list[Any]:
    value = tracker.get_slot(name)
    return list(value) if isinstance(value, (list, tuple)) else []


def known_ids(ids: list[Any], engine: Engine) -> list[str]:
    return [i for i in ids if isinstance(i, str) and i in engine.knowledge]


Run = Callable[[Any, CollectingDispatcher, Tracker, dict], Awaitable[list]]


def apologise_on_error(run: Run) -> Run:
    """An action that fails still answers: an apology with both hotlines, and the traceback in the log."""

    @functools.wraps(run)
    async def wrapper(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception:
            logger.exception("action %s failed", getattr(self, "name", lambda: "?")())
            from actions import messages
            from knowledge.loader import load_knowledge

            language = detect_language((tracker.latest_message or {}).get("text") or "")
            try:
                kb = get_engine().knowledge
            except Exception:  # the engine itself failed to load: the hotlines are in knowledge/
                try:
                    kb = load_knowledge()
                except Exception:
                    kb = None
            dispatcher.utter_message(
                text=messages.apology(kb, language) if kb else messages.APOLOGY_NO_KNOWLEDGE[language]
            )
            return []

    return wrapper


class TurnAction(Action, ABC):
    """Every action answers the latest turn with the engine: both are read here, and a failure becomes an
    apology, so each action states only its reply. (Abstract: rasa-sdk registers only concrete actions.)"""

    @apologise_on_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[Any]:
        engine = get_engine()
        return self.reply(dispatcher, tracker, engine, read_turn(tracker, engine))

    @abstractmethod
    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker, engine: Engine, turn: Turn) -> list[Any]:
        """Send the answer to `turn`; return the events (slots) it sets."""

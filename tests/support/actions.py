"""Run a custom action in-process against the real engine, with a rasa-sdk Tracker built like Rasa's.

No mocks: the engine is the one the action server loads (actions.engine.get_engine()).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.support.messages import BotMessages


def tracker(
    text: str,
    intent: str = "ask_who_handles",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    sender: str = "unit-test",
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender, dict(slots or {}), latest, events, False, None, {}, "action_listen")


def department_entity(text: str, value: str, message: str) -> dict[str, Any]:
    start = message.index(text)
    return {"entity": "department", "value": value, "start": start, "end": start + len(text)}


@dataclass
class Result(BotMessages):
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


def run(action: Action, t: Tracker) -> Result:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return Result(dispatcher.messages, events)

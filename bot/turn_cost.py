"""Keep the cost of a turn flat however long the conversation (issue 9): two small changes to Rasa 3.6.

Why: Rasa rebuilds the tracker of the current session on every message (the tracker store loads every
event since the last `session_started`, the policies walk all of them) and sends the action server the
whole tracker as JSON. A 200-turn conversation therefore ran at ~1/4 of the rate of fresh ones.

1. Session rollover by length. domain.yml's session_config expires a session after an idle time (Rasa's
   own mechanism); here a session also ends after MAX_SESSION_TURNS user messages. The next message then
   starts a new session the stock way (action_session_start: `session_started` + the slots carried over,
   `carry_over_slots_to_new_session: true`), so the context the actions keep in slots ("what else do they
   do?") survives, the full history stays in the tracker store, and what is loaded per turn is bounded.
2. The action server gets only what the actions read: the slots, the latest message and the events of the
   current turn (from the latest user message on), not every event of the session. Every action in
   actions/ reads only `latest_message`, slots and `sender_id` (actions/context.py). (The domain is still
   sent: rasa-sdk 3.19 answers 449 "missing domain" without it, and Rasa Open Source 3.6 does not retry.)
3. Slots carried over once each. Rasa's action_session_start copies every SlotSet *event* of the ending
   session into the new one (including the copies it made at the previous start), so each session start
   carried more events than the last (measured: 302 slot events in a 4-turn session after 60 turns). Here it
   carries one SlotSet per slot, with the slot's latest value and metadata: the same slots, same values.
4. Event types resolved once. Rebuilding the tracker deserialises every event of the session, and Rasa's
   `Event.resolve_by_type` walks the whole Event class tree for each one (py-spy: ~30 % of a turn in a
   long conversation). The tree is fixed once rasa.shared.core.events is imported: the answer is memoised.
Applied by bot/patches.apply (from the server's entry point, bot/serve.py); each first checks that what it
replaces exists (bot.patches.PatchError otherwise). Measured by `make bench-cluster` (README).
"""

from __future__ import annotations

from typing import Any, Dict, Text

from bot.patches import _require
from common import settings

MAX_SESSION_TURNS = settings.integer("MAX_SESSION_TURNS")


def roll_over_long_sessions(max_turns: int = MAX_SESSION_TURNS) -> None:
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import SessionStarted, UserUttered

    _require(MessageProcessor, "_has_session_expired")
    if getattr(MessageProcessor._has_session_expired, "_whohandles", False):
        return
    expired_by_time = MessageProcessor._has_session_expired

    def _has_session_expired(self: MessageProcessor, tracker: Any) -> bool:
        if expired_by_time(self, tracker):
            return True
        if max_turns <= 0 or not self.domain.session_config.are_sessions_enabled():
            return False
        turns = 0
        for event in reversed(tracker.events):
            if isinstance(event, SessionStarted):
                break
            if isinstance(event, UserUttered):
                turns += 1
                if turns >= max_turns:
                    return True
        return False

    _has_session_expired._whohandles = True  # type: ignore[attr-defined]
    MessageProcessor._has_session_expired = _has_session_expired  # type: ignore[method-assign]


def send_only_the_current_turn() -> None:
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import EventVerbosity

    _require(RemoteAction, "_action_call_format")

    def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[Text, Any]:
        state = tracker.current_state(EventVerbosity.NONE)
        tail = []
        for event in reversed(tracker.events):
            tail.append(event)
            if isinstance(event, UserUttered):
                break
        state["events"] = [e.as_dict() for e in reversed(tail)]
        result = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
        }
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]


def memoise_event_types() -> None:
    from rasa.shared.core.events import Event

    _require(Event, "resolve_by_type")
    original = Event.resolve_by_type
    if getattr(original, "_whohandles", False):
        return
    cache: Dict[Any, Any] = {}

    def resolve_by_type(type_name: Text, default: Any = None) -> Any:
        key = (type_name, default)
        try:
            return cache[key]
        except KeyError:
            cls = original(type_name, default)  # raises ValueError for an unknown name, as before
            cache[key] = cls
            return cls

    resolve_by_type._whohandles = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def carry_over_each_slot_once() -> None:
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SlotSet

    _require(ActionSessionStart, "_slot_set_events_from_tracker")

    def _slot_set_events_from_tracker(tracker: Any) -> list:
        latest: Dict[Text, Any] = {}
        for event in tracker.applied_events():
            if isinstance(event, SlotSet):
                latest.pop(event.key, None)  # keep the order in which the slots were last set
                latest[event.key] = event
        return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in latest.values()]

    ActionSessionStart._slot_set_events_from_tracker = staticmethod(_slot_set_events_from_tracker)  # type: ignore


def apply() -> None:
    memoise_event_types()
    carry_over_each_slot_once()
    roll_over_long_sessions()
    send_only_the_current_turn()

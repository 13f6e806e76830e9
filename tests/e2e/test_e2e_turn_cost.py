"""Flat per-turn cost (bot/turn_cost.py) keeps the conversation: a long session rolls over, context stays."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from tests.support.messages import top_department

pytestmark = pytest.mark.e2e


def test_a_follow_up_after_a_session_rollover_keeps_the_department(stack, http):
    sender = f"long-{uuid.uuid4().hex[:10]}"

    def say(text: str) -> list[dict]:
        response = http.post(stack.webhook, json={"sender": sender, "message": text})
        assert response.status_code == 200, response.text
        return response.json()

    assert top_department(say("What does the Wage Office do?")) == "hrss.wages"
    for _ in range(9):  # more than WHOHANDLES_MAX_SESSION_TURNS (8): the next turn starts a new session
        assert say("thank you")
    assert top_department(say("what else do they do?")) == "hrss.wages"
    with sqlite3.connect(stack.tracker_db) as db:
        (sessions,) = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'session_started'", (sender,)
        ).fetchone()
        (users,) = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchone()
    assert sessions >= 2, "the long session rolled over"
    assert users == 11, "every message is kept across sessions"

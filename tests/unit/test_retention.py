"""Retention: old questions and conversations are deleted (common/retention.py, `python -m feedback purge`)."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from common import retention
from feedback import FeedbackStore
from feedback.__main__ import main as feedback_main

DAY = 86_400


def backdate(path, table, days):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA secure_delete = ON")  # an UPDATE leaves the old row's bytes in the page otherwise
    with conn:
        conn.execute(f"UPDATE {table} SET created_at = ?", (time.time() - days * DAY,))
    conn.close()


def make_tracker(path, conversations):
    """A tracker DB with Rasa's events columns: {sender: [age in days of each event]}."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL,"
            " intent_name TEXT, action_name TEXT, data TEXT)"
        )
        for sender, ages in conversations.items():
            for age in ages:
                conn.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                    (sender, time.time() - age * DAY, json.dumps({"text": f"question of {sender}"})),
                )


def senders(path):
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events")}


def test_feedback_rows_older_than_the_period_are_deleted(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.db")
    store.record_vote("old", "old question", "", "", "down")
    store.record_unanswered("old", "old unanswered", "en")
    backdate(store.path, "votes", 200)
    backdate(store.path, "unanswered", 181)
    store.record_vote("new", "new question", "", "", "down")
    assert retention.purge_feedback(store.path, 180) == {"votes": 1, "unanswered": 1}
    assert [v["question"] for v in store.votes()] == ["new question"]
    assert [g["question"] for g in store.gaps()] == ["new question"]
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("feedback.db*"))  # the file, its WAL and index
    assert b"old question" not in on_disk and b"old unanswered" not in on_disk  # overwritten, not just unlinked


def test_tracker_conversations_go_whole_when_their_last_event_is_old(tmp_path):
    db = tmp_path / "tracker.db"
    make_tracker(db, {"stale": [400, 300, 190], "live": [400, 1], "fresh": [0]})
    assert retention.purge_tracker(db, 180) == {"conversations": 1, "events": 3}
    assert senders(db) == {"live", "fresh"}
    with sqlite3.connect(db) as conn:  # a live conversation keeps all its events (Rasa needs its session start)
        assert conn.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'live'").fetchone()[0] == 2


def test_missing_files_and_the_setting(tmp_path, monkeypatch):
    assert retention.purge_tracker(tmp_path / "none.db", 180) == {"conversations": 0, "events": 0}
    assert retention.purge_feedback(tmp_path / "none.db", 180) == {"votes": 0, "unanswered": 0}
    assert not (tmp_path / "none.db").exists()
    monkeypatch.delenv(retention.ENV, raising=False)
    assert retention.retention_days() == 180
    assert retention.retention_days("30") == 30 and retention.retention_days("off") is None
    with pytest.raises(ValueError):
        retention.retention_days("-1")


def test_the_command_purges_both_files(tmp_path, capsys):
    store = FeedbackStore(tmp_path / "feedback.db")
    store.record_vote("old", "old question", "", "", "up")
    backdate(store.path, "votes", 10)
    tracker = tmp_path / "tracker.db"
    make_tracker(tracker, {"old": [10], "new": [1]})
    assert feedback_main(["purge", "--days", "5", "--db", str(store.path), "--tracker-db", str(tracker)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["feedback"]["votes"] == 1 and report["tracker"] == {"conversations": 1, "events": 1}
    assert store.votes() == [] and senders(tracker) == {"new"}


def test_the_daily_task_runs_at_once(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.db")
    store.record_vote("old", "old question", "", "", "up")
    backdate(store.path, "votes", 365)
    done = []
    thread = retention.start_daily(lambda: done.append(retention.purge_feedback(store.path, 180)), "test", 3600)
    for _ in range(1000):
        if done:
            break
        time.sleep(0.01)  # wait for the thread's first run (not a timing assertion)
    assert thread.daemon and done == [{"votes": 1, "unanswered": 0}]
    assert store.votes() == []

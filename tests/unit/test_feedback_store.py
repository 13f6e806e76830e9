"""FeedbackStore: durable votes and unanswered questions, safe with two writing processes."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from feedback import FeedbackStore


def test_created_on_first_use(tmp_path):
    path = tmp_path / "nested" / "feedback.db"
    store = FeedbackStore(path)
    assert not path.exists()
    assert store.gaps() == []
    assert path.exists()


def test_vote_is_durable(tmp_path):
    path = tmp_path / "f.db"
    vote_id = FeedbackStore(path).record_vote("s1", "Loan overdue, who?", "Loans Department", "hpf.loans", "up")
    assert vote_id >= 1
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT sender, question, answer, department_id, vote FROM votes WHERE id=?", (vote_id,)
        ).fetchone()
    assert row == ("s1", "Loan overdue, who?", "Loans Department", "hpf.loans", "up")
    assert FeedbackStore(path).votes()[0]["id"] == vote_id


def test_bad_vote_rejected(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    with pytest.raises(ValueError):
        store.record_vote("s", "q", "a", "hpf.loans", "meh")
    with pytest.raises(ValueError):
        store.record_vote("s", "   ", "a", "hpf.loans", "up")
    with pytest.raises(TypeError):
        store.record_vote("s", 42, "a", "hpf.loans", "up")  # type: ignore[arg-type]


def test_gaps_list_unanswered_and_down_votes_not_up(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    store.record_unanswered("s1", "Where do I renew a passport?", "en")
    store.record_unanswered("s2", "where do I renew a passport?", "en")
    store.record_unanswered("s3", "天气怎么样", "zh")
    store.record_vote("s1", "pension transfer", "Pension dept", "hrss.pension", "down")
    store.record_vote("s1", "loan overdue", "Loans", "hpf.loans", "up")
    gaps = store.gaps()
    questions = [g["question"].lower() for g in gaps]
    assert questions[0] == "where do i renew a passport?" and gaps[0]["count"] == 2
    assert "天气怎么样" in questions and "pension transfer" in questions
    assert "loan overdue" not in questions
    down = next(g for g in gaps if g["reason"] == "down")
    assert down["department_id"] == "hrss.pension"
    assert len(store.gaps(limit=1)) == 1


def test_long_text_truncated(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    store.record_unanswered("s", "x" * 100_000, "en")
    assert len(store.gaps()[0]["question"]) <= 4000


def test_env_path(tmp_path, monkeypatch):
    monkeypatch.setenv("WHOHANDLES_FEEDBACK_DB", str(tmp_path / "env.db"))
    FeedbackStore().record_unanswered("s", "q", "en")
    assert (tmp_path / "env.db").exists()


def _writer(path: str, who: str, n: int) -> None:
    store = FeedbackStore(path)
    for i in range(n):
        if who == "web":
            store.record_vote(who, f"q{i}", "a", "hpf.loans", "down")
        else:
            store.record_unanswered(who, f"u{i}", "zh")


def test_two_processes_write_concurrently(tmp_path):
    path = str(tmp_path / "f.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, who, 150)) for who in ("web", "actions")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM votes").fetchone()[0] == 150
        assert conn.execute("SELECT COUNT(*) FROM unanswered").fetchone()[0] == 150

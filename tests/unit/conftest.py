"""Fixtures of the action tests (the `engine` fixture comes from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def private_feedback_db(tmp_path, monkeypatch):
    """No-answer questions are recorded: keep them out of the developer's var/feedback.db."""
    import actions.answer

    monkeypatch.setenv("WHOHANDLES_FEEDBACK_DB", str(tmp_path / "feedback.db"))
    monkeypatch.setattr(actions.answer, "_store", None)

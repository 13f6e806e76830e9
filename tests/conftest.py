"""Fixtures shared by the unit, e2e and browser tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def engine():
    """The same engine the action server runs, to pick questions with a known verdict."""
    from actions.engine import get_engine

    return get_engine()


@pytest.fixture(scope="session", autouse=True)
def own_stores(tmp_path_factory):
    """Every store a test might open by default (feedback, tracker, staff) is a temp file, never the product's var/.

    Stacks started by tests set their own paths on top (deploy/devstack.py).
    """
    base = tmp_path_factory.mktemp("stores")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WHOHANDLES_FEEDBACK_DB", str(base / "feedback.db"))
        mp.setenv("WHOHANDLES_TRACKER_DB", str(base / "tracker.db"))
        mp.setenv("WHOHANDLES_STAFF_DB", str(base / "staff.db"))
        mp.delenv("WHOHANDLES_SESSION_SECRET", raising=False)
        yield base

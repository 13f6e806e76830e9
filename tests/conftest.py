"""Fixtures shared by the unit, e2e and browser tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def engine():
    """The same engine the action server runs, to pick questions with a known verdict."""
    from actions.engine import get_engine

    return get_engine()

"""End-to-end fixtures: one real stack (Rasa + action server) for the session, and HTTP helpers.

The stack runs on spare ports with its own tracker/feedback files (deploy/devstack.py), so it never
touches a `make run` stack. Tests use a fresh sender per conversation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from deploy.devstack import Stack
from tests.support.messages import BotMessages


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    with Stack(tmp_path_factory.mktemp("e2e-stack")) as running:
        yield running


@pytest.fixture(scope="session")
def http() -> httpx.Client:
    with httpx.Client(timeout=30) as client:
        yield client


@dataclass
class Reply(BotMessages):
    status: int
    messages: list[dict[str, Any]]
    seconds: float

    @property
    def top_id(self) -> str | None:
        departments = self.payloads[0]["departments"] if self.payloads else []
        return departments[0]["id"] if departments else None


class Conversation:
    """One user (sender id) talking to the stack's REST channel."""

    def __init__(self, client: httpx.Client, url: str, sender: str | None = None) -> None:
        self.client, self.url = client, url
        self.sender = sender or f"e2e-{uuid.uuid4().hex[:12]}"

    def say(self, message: str) -> Reply:
        response = self.client.post(self.url, json={"sender": self.sender, "message": message})
        assert response.status_code == 200, response.text
        return Reply(response.status_code, response.json(), response.elapsed.total_seconds())


@pytest.fixture()
def chat(stack: Stack, http: httpx.Client):
    """chat() -> a new Conversation with a fresh sender."""
    return lambda sender=None: Conversation(http, stack.webhook, sender)

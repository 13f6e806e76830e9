"""Shared by the REST benchmark and the REST evaluation: start (or reuse) a stack, send one message."""

from __future__ import annotations

import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.stack import Stack  # noqa: E402


@contextmanager
def stack_or_url(url: str | None) -> Iterator[tuple[str, Stack | None]]:
    """Yield (webhook URL, Stack or None): a fresh stack on spare ports, or the given running server."""
    if url:
        yield url.rstrip("/") + "/webhooks/rest/webhook", None
        return
    with tempfile.TemporaryDirectory(prefix="whohandles-bench-") as workdir:
        with Stack(Path(workdir)) as stack:
            yield stack.webhook, stack


def payload_type(messages: list[dict[str, Any]]) -> str | None:
    """The `type` of the first custom payload (department_answer, clarify, no_answer, other_city, …)."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict):
            return custom.get("type")
    return None


def first_departments(messages: list[dict[str, Any]]) -> list[str]:
    """Ids of the first custom payload that lists departments ([] when none: no answer)."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("departments"):
            return [d["id"] for d in custom["departments"]]
    return []


def send(client: httpx.Client, webhook: str, sender: str, message: str) -> list[dict[str, Any]]:
    response = client.post(webhook, json={"sender": sender, "message": message})
    response.raise_for_status()
    return response.json()

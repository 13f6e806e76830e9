"""Shared by the REST benchmark and the REST evaluation: start (or reuse) a stack, send one message.

The benches run as modules from the project root (`python -m bench.rest_bench`, as the Makefile does), so the
project's packages import as they are, without editing sys.path."""

from __future__ import annotations

import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx

from deploy.devstack import Stack
from tests.support.messages import first_departments  # noqa: F401 - re-exported for the benches


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


def send(client: httpx.Client, webhook: str, sender: str, message: str) -> list[dict[str, Any]]:
    response = client.post(webhook, json={"sender": sender, "message": message})
    response.raise_for_status()
    return response.json()


def run_clients(
    webhook: str, clients: int, per_client: int, questions: list[str], timeout: float = 120
) -> tuple[float, list[float]]:
    """`clients` threads, each a fresh sender per message, sending `per_client` of the questions in turn;
    returns (elapsed seconds, every latency in ms)."""

    def worker(index: int) -> list[float]:
        latencies = []
        with httpx.Client(timeout=timeout) as client:
            for j in range(per_client):
                question = questions[(index * per_client + j) % len(questions)]
                started = time.perf_counter()
                send(client, webhook, f"bench-{index}-{uuid.uuid4().hex}", question)
                latencies.append((time.perf_counter() - started) * 1000)
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(worker, range(clients)))
    return time.perf_counter() - started, [x for r in results for x in r]

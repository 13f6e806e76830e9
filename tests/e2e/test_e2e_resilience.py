"""What users get when things break: the action server down or hanging, and Rasa restarting."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest

from deploy.devstack import Stack, free_port

pytestmark = pytest.mark.e2e

# Not a speed figure (tests never time things): a guard so that an action call Rasa failed to time out shows as a
# failure instead of a hung test. Rasa gives up on the action after ACTION_TIMEOUT (1.5 s in credentials.yml).
HANG_GUARD_S = 20.0


@pytest.fixture(scope="module")
def hanging_port():
    """A port that accepts connections and never answers (an action server stuck in a request)."""
    port = free_port()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    yield port, listener
    listener.close()


@pytest.fixture(scope="module")
def orphan_rasa(tmp_path_factory, hanging_port):
    """A Rasa server whose action endpoint is the hanging port, with no action server at all."""
    port, _ = hanging_port
    with Stack(
        tmp_path_factory.mktemp("orphan"), actions=False, action_url=f"http://127.0.0.1:{port}/webhook"
    ) as stack:
        yield stack


def ask(url: str, message: str) -> list[dict]:
    response = httpx.post(
        url, json={"sender": f"down-{uuid.uuid4().hex[:8]}", "message": message}, timeout=HANG_GUARD_S
    )
    assert response.status_code == 200
    return response.json()


def test_hanging_action_server_gets_an_apology_with_hotlines(orphan_rasa):
    messages = ask(orphan_rasa.webhook, "Who handles labour dispute arbitration?")  # the action never answers
    text = " ".join(m.get("text", "") for m in messages)
    assert "Sorry" in text and "12333" in text and "12329" in text


def test_action_server_down_gets_an_apology_in_chinese(orphan_rasa, hanging_port):
    _, listener = hanging_port
    listener.close()  # now the port refuses connections: the action server is down
    messages = ask(orphan_rasa.webhook, "公积金贷款逾期了找谁")
    text = " ".join(m.get("text", "") for m in messages)
    assert "抱歉" in text and "12333" in text and "12329" in text


def test_small_talk_works_without_the_action_server(orphan_rasa):
    messages = ask(orphan_rasa.webhook, "hello")
    assert "Hello" in messages[0]["text"]


def test_conversation_survives_a_rasa_restart(stack, http):
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    first = http.post(stack.webhook, json={"sender": sender, "message": "What does the Wage Office do?"}).json()
    assert any(
        m.get("custom", {}).get("departments", [{}])[0].get("id") == "hrss.wages" for m in first if "custom" in m
    )
    rasa = stack.server("rasa")
    rasa.stop()
    rasa.ready_after = None
    rasa.start(stack.env())
    stack.wait(timeout=300)
    after = http.post(stack.webhook, json={"sender": sender, "message": "what else do they handle?"}).json()
    custom = [m["custom"] for m in after if "custom" in m]
    assert custom and custom[0]["departments"][0]["id"] == "hrss.wages", after

"""Hostile and malformed input to the hardened REST channel: a clear 4xx or a polite 200, never a crash."""

from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"hostile-{uuid.uuid4().hex[:10]}"


def post_raw(http: httpx.Client, url: str, content: bytes) -> httpx.Response:
    return http.post(url, content=content, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    "body, code",
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe\x00binary", "invalid_json"),
        (b"", "invalid_json"),
        (b'["a", "list"]', "body_not_object"),
        (b'"a string"', "body_not_object"),
        (b"42", "body_not_object"),
        (b'{"message": "hi"}', "invalid_sender"),
        (b'{"sender": "", "message": "hi"}', "invalid_sender"),
        (b'{"sender": "   ", "message": "hi"}', "invalid_sender"),
        (b'{"sender": 12345, "message": "hi"}', "invalid_sender"),
        (b'{"sender": null, "message": "hi"}', "invalid_sender"),
        (b'{"sender": "' + b"x" * 500 + b'", "message": "hi"}', "invalid_sender"),
        (b'{"sender": "u1"}', "invalid_message"),
        (b'{"sender": "u1", "message": 42}', "invalid_message"),
        (b'{"sender": "u1", "message": ["hi"]}', "invalid_message"),
        (b'{"sender": "u1", "message": {"text": "hi"}}', "invalid_message"),
        (b'{"sender": "u1", "message": "hi", "metadata": "x"}', "invalid_metadata"),
    ],
)
def test_bad_requests_get_a_clear_400(stack, http, body, code):
    response = post_raw(http, stack.webhook, body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == code and response.json()["message"]


def test_no_shared_default_conversation(stack, http):
    """Stock Rasa files sender-less messages under "default"; here they are refused, so nothing leaks."""
    assert post_raw(http, stack.webhook, b'{"message": "my wage problem"}').status_code == 400
    reply = http.post(stack.webhook, json={"sender": "default", "message": "what else do they handle?"})
    assert reply.status_code == 200
    assert "wage" not in reply.text.lower()


@pytest.mark.parametrize("message", ["", "   ", "\n\t  "])
def test_empty_messages_get_a_prompt(stack, http, message):
    response = http.post(stack.webhook, json={"sender": sender(), "message": message})
    assert response.status_code == 200
    [reply] = response.json()
    assert "question" in reply["text"] or "问题" in reply["text"]


def test_a_20000_character_message_is_refused_politely(stack, http):
    response = http.post(stack.webhook, json={"sender": sender(), "message": "pension " * 2500})
    assert response.status_code == 200
    [reply] = response.json()
    assert "too long" in reply["text"] and "2000" in reply["text"]
    chinese = http.post(stack.webhook, json={"sender": sender(), "message": "养老金" * 7000}).json()
    assert "太长" in chinese[0]["text"]


def test_control_characters_are_stripped(stack, http):
    response = http.post(
        stack.webhook, json={"sender": sender(), "message": "Who handles \x00labour\x07 dispute\x1b arbitration?\ufffd"}
    )
    assert response.status_code == 200
    custom = [m["custom"] for m in response.json() if "custom" in m]
    assert custom and custom[0]["departments"][0]["id"] == "hrss.mediation-arbitration"


def test_only_control_characters_is_an_empty_message(stack, http):
    response = http.post(stack.webhook, json={"sender": sender(), "message": "\x00\x01\x02\ufffd"})
    assert response.status_code == 200 and "question" in response.json()[0]["text"]


@pytest.mark.parametrize(
    "message",
    ["<img src=x onerror=alert(1)>", '<script>alert("x")</script>who handles pensions?', "'; DROP TABLE events; --"],
)
def test_html_and_injection_are_plain_text(stack, http, message):
    response = http.post(stack.webhook, json={"sender": sender(), "message": message})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.text
    assert "<img" not in body and "<script" not in body and "onerror" not in body
    assert response.json(), "a reply, not silence"


def test_servers_are_still_up_after_the_hostile_inputs(stack, http):
    assert stack.alive()
    response = http.post(stack.webhook, json={"sender": sender(), "message": "劳动争议仲裁找谁"})
    assert response.status_code == 200
    assert any(m.get("custom", {}).get("departments") for m in response.json())


def test_cors_allows_only_the_web_origin(stack, http):
    def preflight(origin: str) -> httpx.Response:
        return http.options(stack.webhook, headers={"Origin": origin, "Access-Control-Request-Method": "POST"})

    assert preflight(stack.web_url).headers.get("access-control-allow-origin") == stack.web_url
    assert "access-control-allow-origin" not in preflight("http://evil.example").headers

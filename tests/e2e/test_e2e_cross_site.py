"""The REST channel takes only JSON from allowed origins (415 / 403), one error shape, same 413 for any large
body, and no version banner on `GET /`."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.support.messages import assert_error

pytestmark = pytest.mark.e2e


def vote_body() -> bytes:
    return json.dumps({"sender": f"xs-{uuid.uuid4().hex[:10]}", "message": "Who handles pensions?"}).encode()


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json"],
)
def test_only_json_is_accepted(stack, http, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    assert_error(http.post(stack.webhook, content=vote_body(), headers=headers), 415, "unsupported_media_type")


def test_a_foreign_page_cannot_write_into_a_conversation(stack, http):
    sender = f"victim-{uuid.uuid4().hex[:8]}"
    for origin in ("http://evil.example", "null"):
        r = http.post(
            stack.webhook,
            json={"sender": sender, "message": "account frozen, visit http://evil.example"},
            headers={"Origin": origin},
        )
        assert_error(r, 403, "origin_not_allowed")
    ok = http.post(stack.webhook, json={"sender": sender, "message": "hi"}, headers={"Origin": stack.web_url})
    assert ok.status_code == 200 and ok.json()
    assert b"evil.example" not in b"".join(p.read_bytes() for p in stack.workdir.glob("tracker.db*"))


@pytest.mark.parametrize("size", [300_000, 2_000_000])
def test_large_bodies_get_the_same_413(stack, http, size):
    body = json.dumps({"sender": "big", "message": "x" * size}).encode()
    r = http.post(stack.webhook, content=body, headers={"Content-Type": "application/json"})
    assert assert_error(r, 413, "body_too_large")["message"] == "The request body must be at most 262144 bytes."


def test_a_streamed_large_body_gets_413_too(stack, http):
    def chunks():
        for _ in range(300):
            yield b"x" * 1000

    r = http.post(stack.webhook, content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(r, 413, "body_too_large")


def test_undecodable_bytes_are_refused_as_the_docstring_says(stack, http):
    r = http.post(
        stack.webhook, content=b'{"sender": "u", "message": "\xff\xfe"}', headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, "invalid_json")


def test_no_version_banner(stack, http):
    r = http.get(stack.rasa_url + "/")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert "rasa" not in r.text.lower() and "3.6" not in r.text
    assert "server" not in {k.lower() for k in r.headers} or "rasa" not in r.headers.get("server", "").lower()


def test_unknown_routes_have_the_same_shape(stack, http):
    assert_error(http.get(stack.rasa_url + "/nothing-here"), 404, "not_found")
    assert_error(http.get(stack.webhook), 405, "method_not_allowed")

"""The one error shape and the POST checks shared by both APIs (common/errors.py)."""

from __future__ import annotations

import pytest

from common import errors
from common.errors import Problem


def test_shape():
    assert errors.error_body("bad_vote", "vote must be up or down") == {
        "error": "bad_vote",
        "message": "vote must be up or down",
    }
    p = errors.rate_limited(7)
    assert p.status == 429 and p.retry_after == 7 and set(p.body()) == {"error", "message"}
    assert "7 s" in p.message and "7 秒" in p.message
    assert errors.too_large(16384).body() == {
        "error": "body_too_large",
        "message": "The request body must be at most 16384 bytes.",
    }
    assert errors.status_code_name(404) == "not_found" and errors.status_code_name(405) == "method_not_allowed"
    assert errors.status_code_name(499) == "http_error"


ALLOWED = {"http://127.0.0.1:8080"}


@pytest.mark.parametrize(
    "content_type, origin, status",
    [
        ("application/json", None, None),
        ("Application/JSON; charset=utf-8", "http://127.0.0.1:8080", None),
        ("application/json", "http://127.0.0.1:8080/", None),
        (None, None, 415),
        ("text/plain", None, 415),
        ("application/json-patch+json", None, 415),
        ("application/json", "http://evil.example", 403),
        ("application/json", "null", 403),
        ("application/json", "", 403),
    ],
)
def test_check_post(content_type, origin, status):
    if status is None:
        errors.check_post(content_type, origin, ALLOWED)
        return
    with pytest.raises(Problem) as caught:
        errors.check_post(content_type, origin, ALLOWED)
    assert caught.value.status == status


@pytest.mark.parametrize("body", [b"\xff\xfe", b"{", b"", b"[" * 100_000, b'{"a":' * 50_000])
def test_parse_json_refuses_with_400(body):
    with pytest.raises(Problem) as caught:
        errors.parse_json(body, "{}")
    assert caught.value.status == 400 and caught.value.code == "invalid_json"


def test_parse_json_keeps_lone_surrogates_for_the_caller_to_clean():
    assert errors.parse_json(b'{"q": "a\\udc80"}', "{}") == {"q": "a\udc80"}

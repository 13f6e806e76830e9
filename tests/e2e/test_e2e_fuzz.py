"""Property-based test of the REST webhook against the real Rasa stack: 1,000 generated requests, no 5xx.

Bodies: well-formed messages (with lone surrogates, control characters, very long text), wrong types, JSON
that is not an object, deeply nested JSON, binary, over-size bodies; odd content types and origins. Every
answer is a 200 with a list of bot messages or a 4xx with the one error shape; a well-formed message always
gets a reply.
"""

from __future__ import annotations

import json
import string
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.e2e

EXAMPLES = 1000
SURROGATES = st.sampled_from(["\udc80", "\ud800", "a\udfffb", "\ud83d", "公积金\udc80贷款"])
TEXT = st.one_of(
    st.text(max_size=40),
    SURROGATES,
    st.text(st.characters(max_codepoint=0x1F), max_size=10),
    st.sampled_from(["养老金" * 800, "<img src=x onerror=alert(1)>", "/restart", "\ufffd"]),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
SENDER = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=30).map(lambda s: "fz-" + s)
GOOD = st.fixed_dictionaries(
    {"sender": SENDER, "message": TEXT}, optional={"metadata": st.dictionaries(st.text(max_size=5), JSON, max_size=2)}
)
ODD = st.dictionaries(st.sampled_from(["sender", "message", "metadata", "input_channel", "x"]), JSON, max_size=5)


def dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


def nested(depth: int, opener: str) -> bytes:
    return (
        (opener * depth + {"[": "]", "{": "}"}[opener] * depth).encode()
        if opener == "["
        else ('{"a":' * depth + "1" + "}" * depth).encode()
    )


BODIES = st.one_of(
    GOOD.map(lambda v: ("good", dumps(v))),
    ODD.map(lambda v: ("odd", dumps(v))),
    JSON.map(lambda v: ("odd", dumps(v))),
    st.binary(max_size=200).map(lambda b: ("raw", b)),
    st.tuples(st.integers(500, 100_000), st.sampled_from("[{")).map(lambda t: ("raw", nested(*t))),
    st.integers(200_000, 400_000).map(lambda n: ("raw", dumps({"sender": "fz-big", "message": "x" * n}))),
)
CONTENT_TYPES = st.sampled_from(["application/json"] * 8 + ["application/json; charset=utf-8", "text/plain", ""])
ORIGINS = st.sampled_from([None] * 8 + ["http://evil.example", "null"])


def test_rest_webhook_fuzz(stack, http):
    seen = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )
    @given(body=BODIES, content_type=CONTENT_TYPES, origin=ORIGINS)
    def run(body, content_type, origin):
        kind, raw = body
        headers = {"Content-Type": content_type} if content_type else {}
        if origin:
            headers["Origin"] = origin
        response = http.post(stack.webhook, content=raw, headers=headers)
        seen[response.status_code] += 1
        assert response.status_code < 500, response.text
        payload = response.json()
        if response.status_code >= 400:
            assert set(payload) == {"error", "message"} and payload["message"]
        else:
            assert isinstance(payload, list)
        if kind == "good" and content_type.startswith("application/json") and not origin:
            assert response.status_code == 200 and payload, "a well-formed message always gets a reply"

    run()
    assert sum(seen.values()) >= EXAMPLES and not [s for s in seen if s >= 500]
    assert seen[200] and seen[400] and seen[413] and seen[415] and seen[403]
    print(f"REST webhook fuzz: {sum(seen.values())} requests, statuses {dict(sorted(seen.items()))}")
    assert stack.alive()

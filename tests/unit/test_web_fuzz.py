"""Property-based tests of the web API (hypothesis): whatever arrives, the answer is never a 5xx.

At least 1,000 generated requests per endpoint — lone surrogates in JSON escapes, huge and deeply nested
JSON, wrong types, binary bodies, odd content types and origins, garbage query strings. Every answer is a 2xx
or a 4xx with the one error shape; a well-formed vote is always stored (nothing valid is lost).
"""

from __future__ import annotations

import json
import string
from collections import Counter
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from web_fakes import AGENT, PASSWORD, FakeEngine, sign_in, staff_store

from feedback import FeedbackStore
from web.config import Settings
from web.server import create_app

EXAMPLES = 1000
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SURROGATES = st.sampled_from(["\udc80", "\ud800", "\udfff", "a\udc80b", "\ud83d", "\ude00x"])
TEXT = st.one_of(
    st.text(max_size=60),
    SURROGATES,
    st.text(st.characters(max_codepoint=0x1F), max_size=20),
    st.sampled_from(["我叫张三 13812345678", "<script>alert(1)</script>", "\ufffd", "x" * 3000]),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
FIELDS = ("sender", "question", "answer", "department_id", "vote")
SENDER = st.text(string.ascii_letters + string.digits + "_.:-", min_size=1, max_size=40)
DEPARTMENT = st.sampled_from(["", "hpf.loans", "hrss.mediation-arbitration"])
GOOD_VOTE = st.fixed_dictionaries(
    {
        "sender": SENDER,
        "question": st.builds(lambda t: "q " + t, st.one_of(st.text(max_size=200), SURROGATES)),
        "answer": st.one_of(st.text(max_size=200), SURROGATES),
        "department_id": DEPARTMENT,
        "vote": st.sampled_from(["up", "down"]),
    }
)
ODD_VOTE = st.dictionaries(st.sampled_from(FIELDS + ("extra",)), JSON, max_size=6)
CONTENT_TYPES = st.sampled_from(
    ["application/json"] * 6
    + ["application/json; charset=utf-8", "text/plain", "", "application/x-www-form-urlencoded", "application/xml"]
)
ORIGINS = st.sampled_from([None] * 6 + ["http://127.0.0.1:8080", "http://evil.example", "null", "\x7f"])


def dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()  # lone surrogates become \udXXX escapes


def nested(depth: int, opener: str) -> bytes:
    closer = {"[": "]", "{": "}"}[opener]
    return (('{"a":' * depth + "1" + "}" * depth) if opener == "{" else (opener * depth + closer * depth)).encode()


BODIES = st.one_of(
    GOOD_VOTE.map(lambda v: ("vote", v, dumps(v))),
    ODD_VOTE.map(lambda v: ("odd", v, dumps(v))),
    JSON.map(lambda v: ("odd", v, dumps(v))),
    st.binary(max_size=300).map(lambda b: ("raw", None, b)),
    st.tuples(st.integers(100, 20_000), st.sampled_from("[{")).map(lambda t: ("raw", None, nested(*t))),
    st.integers(10_000, 60_000).map(lambda n: ("raw", None, dumps({"sender": "s", "question": "q" * n, "vote": "up"}))),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A signed-in hotline agent's client: the console's API is fuzzed behind its login, as it is served."""
    workdir = tmp_path_factory.mktemp("fuzz")
    store = FeedbackStore(workdir / "feedback.db")
    staff = staff_store(workdir / "staff.db")
    app = create_app(Settings(port=8080, rate_limits="off"), engine=FakeEngine(), store=store, staff=staff)
    with TestClient(app, base_url="http://127.0.0.1:8080") as c:
        sign_in(c, AGENT, PASSWORD)
        c.store = store
        yield c


def check_shape(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error", "message"} and isinstance(body["error"], str) and body["message"]


def test_feedback_fuzz(client):
    seen = Counter()

    @FUZZ
    @given(body=BODIES, content_type=CONTENT_TYPES, origin=ORIGINS)
    def run(body, content_type, origin):
        kind, value, raw = body
        headers = {"content-type": content_type} if content_type else {}
        if origin is not None:
            headers["origin"] = origin
        response = client.post("/api/feedback", content=raw, headers=headers)
        seen[response.status_code] += 1
        check_shape(response)
        acceptable = content_type.startswith("application/json") and origin in (None, "http://127.0.0.1:8080")
        if kind == "vote" and acceptable and len(raw) <= 16_384:
            assert response.status_code == 201, response.text
            stored = next(v for v in client.store.votes(5) if v["id"] == response.json()["id"])
            assert stored["vote"] == value["vote"] and stored["sender"] == value["sender"]

    run()
    assert sum(seen.values()) >= EXAMPLES and not [s for s in seen if s >= 500]
    assert seen[201] and seen[400] and seen[413] and seen[415] and seen[403]
    print(f"/api/feedback fuzz: {sum(seen.values())} requests, statuses {dict(sorted(seen.items()))}")


QUERY_BYTES = st.one_of(
    st.binary(max_size=80),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"\xed\xb2\x80", b"\xff", b"\x00", b"q" * 600, "公积金贷款逾期".encode()]),
)
K = st.one_of(st.none(), st.integers(-5, 20).map(str), st.text(max_size=5))


def test_ask_fuzz(client):
    seen = Counter()

    @FUZZ
    @given(q=QUERY_BYTES, k=K, extra=st.binary(max_size=30))
    def run(q, k, extra):
        query = "q=" + quote_from_bytes(q)
        if k is not None:
            query += "&k=" + quote_from_bytes(k.encode("utf-8", "surrogatepass"))
        query += "&" + quote_from_bytes(extra)
        response = client.get("/api/ask?" + query)
        seen[response.status_code] += 1
        check_shape(response)

    run()
    assert sum(seen.values()) >= EXAMPLES and not [s for s in seen if s >= 500]
    assert seen[200] and seen[400]
    print(f"/api/ask fuzz: {sum(seen.values())} requests, statuses {dict(sorted(seen.items()))}")


def test_gaps_fuzz(client):
    seen = Counter()

    @FUZZ
    @given(
        limit=st.one_of(st.none(), st.integers(-(10**20), 10**20).map(str), st.text(max_size=10)),
        method=st.sampled_from(["GET", "GET", "GET", "POST", "PUT", "DELETE"]),
        body=st.binary(max_size=100),
    )
    def run(limit, method, body):
        url = "/api/gaps" + (
            "" if limit is None else "?limit=" + quote_from_bytes(limit.encode("utf-8", "surrogatepass"))
        )
        response = client.request(method, url, content=body or None, headers={"content-type": "application/json"})
        seen[response.status_code] += 1
        check_shape(response)

    run()
    assert sum(seen.values()) >= EXAMPLES and not [s for s in seen if s >= 500]
    assert seen[200] and seen[400] and seen[405]
    print(f"/api/gaps fuzz: {sum(seen.values())} requests, statuses {dict(sorted(seen.items()))}")

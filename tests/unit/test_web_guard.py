"""The web API's guard (web/guard.py): JSON-only POSTs, the Origin check, body sizes, rate limits, one error shape."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient
from web_fakes import AGENT, PASSWORD, FakeEngine, sign_in, staff_store

from feedback import FeedbackStore
from tests.support.messages import assert_error
from web.config import Settings
from web.server import create_app

OWN = "http://127.0.0.1:8080"
VOTE = {
    "sender": "web-abc123",
    "question": "loan overdue",
    "answer": "Loan office",
    "department_id": "hpf.loans",
    "vote": "up",
}


@pytest.fixture(scope="module")
def engine():
    return FakeEngine()


def make_client(engine, tmp_path, rate_limits="off", **settings):
    """A signed-in hotline agent's client (the console's API needs a staff login) and the feedback store."""
    store = FeedbackStore(tmp_path / "feedback.db")
    staff = staff_store(tmp_path / "staff.db")
    app = create_app(Settings(port=8080, rate_limits=rate_limits, **settings), engine=engine, store=store, staff=staff)
    client = TestClient(app, base_url=OWN)
    sign_in(client, AGENT, PASSWORD)
    return client, store


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "text/json",
    ],
)
def test_only_json_is_accepted(engine, tmp_path, content_type):
    client, store = make_client(engine, tmp_path)
    headers = {"content-type": content_type} if content_type else {}
    with client:
        r = client.post("/api/feedback", content=json.dumps(VOTE), headers=headers)
    assert_error(r, 415, "unsupported_media_type")
    assert store.votes() == []


def test_json_with_a_charset_is_fine(engine, tmp_path):
    client, store = make_client(engine, tmp_path)
    with client:
        r = client.post(
            "/api/feedback", content=json.dumps(VOTE), headers={"content-type": "application/json; charset=utf-8"}
        )
    assert r.status_code == 201 and len(store.votes()) == 1


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:8081", "https://127.0.0.1:8080"])
def test_foreign_origins_are_refused(engine, tmp_path, origin):
    client, store = make_client(engine, tmp_path)
    with client:
        r = client.post("/api/feedback", json=VOTE, headers={"Origin": origin})
    body = assert_error(r, 403, "origin_not_allowed")
    assert "不接受" in body["message"]
    assert store.votes() == []


def test_own_and_listed_origins_and_no_origin_are_accepted(engine, tmp_path):
    client, store = make_client(engine, tmp_path, widget_origins=("https://partner.example",))
    with client:
        for headers in (
            {"Origin": OWN},
            {"Origin": "http://localhost:8080"},
            {"Origin": "https://partner.example"},
            {},
        ):
            assert client.post("/api/feedback", json=VOTE, headers=headers).status_code == 201
    assert len(store.votes()) == 4


@pytest.mark.parametrize("size", [300_000, 2_000_000])
def test_large_bodies_get_413_with_the_same_shape(engine, tmp_path, size):
    client, store = make_client(engine, tmp_path)
    body = json.dumps(dict(VOTE, answer="x" * size))
    with client:
        r = client.post("/api/feedback", content=body, headers={"content-type": "application/json"})
    assert assert_error(r, 413, "body_too_large")["message"] == "The request body must be at most 16384 bytes."


def test_a_streamed_body_without_length_is_counted(engine, tmp_path):
    client, store = make_client(engine, tmp_path)

    def chunks():
        for _ in range(40):
            yield b"x" * 1000

    with client:
        r = client.post("/api/feedback", content=chunks(), headers={"content-type": "application/json"})
        assert "content-length" not in r.request.headers
        assert_error(r, 413, "body_too_large")
        assert_error(
            client.post(
                "/api/feedback", content=b"{}", headers={"content-type": "application/json", "content-length": "abc"}
            ),
            400,
            "bad_content_length",
        )


def test_control_characters_and_surrogates_are_stripped_and_the_vote_kept(engine, tmp_path):
    client, store = make_client(engine, tmp_path)
    raw = '{"sender": "web-1", "question": "loan\\u0000 over\\u0007due \\udc80\\ud800", "vote": "down"}'
    with client:
        r = client.post("/api/feedback", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 201
    assert store.votes()[0]["question"] == "loan overdue"


def test_feedback_is_masked_before_it_is_stored(engine, tmp_path):
    client, store = make_client(engine, tmp_path)
    question = "我叫张三，身份证11010519491231002X，手机13812345678，公积金贷款逾期"
    with client:
        assert client.post("/api/feedback", json=dict(VOTE, question=question, vote="down")).status_code == 201
        gaps = client.get("/api/gaps").json()["gaps"]
    assert gaps[0]["question"] == "我叫[NAME]，身份证[ID]，手机[PHONE]，公积金贷款逾期"
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("feedback.db*"))
    assert b"13812345678" not in on_disk and b"11010519491231002X" not in on_disk


def test_ip_limit_on_the_api_with_retry_after_and_both_languages(engine, tmp_path):
    client, _ = make_client(engine, tmp_path, rate_limits="ip:3/minute sender:off")
    with client:
        assert [client.get("/api/ask", params={"q": "loan"}).status_code for _ in range(3)] == [200, 200, 200]
        r = client.get("/api/ask", params={"q": "loan"})
        body = assert_error(r, 429, "rate_limited")
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert "Too many requests" in body["message"] and "请求过于频繁" in body["message"]
        assert client.post("/api/feedback", json=VOTE).status_code == 429, "the same address, the same bucket"
        assert client.get("/").status_code == 200, "pages are not API calls"


def test_sender_limit_on_feedback(engine, tmp_path):
    client, store = make_client(engine, tmp_path, rate_limits="sender:2/minute ip:off")
    with client:
        codes = [client.post("/api/feedback", json=VOTE).status_code for _ in range(3)]
        other = client.post("/api/feedback", json=dict(VOTE, sender="web-other")).status_code
    assert codes == [201, 201, 429] and other == 201
    assert len(store.votes()) == 3


def test_limits_off_lets_everything_through(engine, tmp_path):
    client, _ = make_client(engine, tmp_path, rate_limits="off")
    with client:
        assert {client.get("/api/ask", params={"q": "loan"}).status_code for _ in range(300)} == {200}


def test_framework_errors_have_the_same_shape(engine, tmp_path):
    client, _ = make_client(engine, tmp_path)
    with client:
        assert_error(client.get("/api/feedback"), 405, "method_not_allowed")
        assert_error(client.get("/api/nothing"), 404, "not_found")

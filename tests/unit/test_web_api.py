"""Web endpoints: answers for the console, votes stored, bad input rejected with clear 4xx JSON (never a crash)."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

# tests/unit is on sys.path (pytest's default rootdir-relative import)
from web_fakes import AGENT, PASSWORD, FakeEngine, sign_in, staff_store

from feedback import FeedbackStore
from web.config import Settings
from web.server import create_app


@pytest.fixture(scope="module")
def engine():
    return FakeEngine()


@pytest.fixture()
def store(tmp_path):
    return FeedbackStore(tmp_path / "feedback.db")


@pytest.fixture()
def client(engine, store, tmp_path):
    """A hotline agent's browser: signed in (the console's API and the gaps page need a staff login)."""
    staff = staff_store(tmp_path / "staff.db")
    settings = Settings(port=8080, rasa_url="http://127.0.0.1:5005", rate_limits="off")  # limits: test_web_guard.py
    app = create_app(settings, engine=engine, store=store, staff=staff)
    with TestClient(app, base_url="http://127.0.0.1:8080") as c:
        sign_in(c, AGENT, PASSWORD)
        yield c


def test_pages_and_assets(client):
    home = client.get("/")
    assert home.status_code == 200
    assert 'src="/widget.js" data-rasa-url="http://127.0.0.1:5005"' in home.text
    assert "connect-src 'self' http://127.0.0.1:5005" in home.headers["content-security-policy"]
    assert client.get("/agent").status_code == 200
    assert client.get("/widget.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/agent.js").status_code == 200


def test_ask_returns_engine_json_with_terms_and_time(client):
    r = client.get("/api/ask", params={"q": "公积金贷款逾期了找谁"})
    assert r.status_code == 200
    body = r.json()
    assert body["departments"][0]["id"] == "hpf.loans"
    assert {"verdict", "language", "confidence", "elapsed_ms", "terms"} <= body.keys()
    assert "贷款" in body["terms"]
    assert len(body["departments"]) == 3


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "missing_query"),
        ({"q": "   "}, "missing_query"),
        ({"q": "x" * 501}, "query_too_long"),
        ({"q": "loan", "k": "abc"}, "bad_k"),
        ({"q": "loan", "k": "0"}, "bad_k"),
        ({"q": "loan", "k": "99"}, "bad_k"),
    ],
)
def test_ask_rejects_bad_input(client, params, code):
    r = client.get("/api/ask", params=params)
    assert r.status_code == 400
    assert r.json()["error"] == code and r.json()["message"]


def test_ask_without_engine_is_503(store, tmp_path):
    staff = staff_store(tmp_path / "staff.db")
    app = create_app(Settings(), engine=None, store=store, staff=staff)
    app.state.engine.problem = "IndexMissingError: no index (run `make index`)"
    c = TestClient(app)  # not entered as a context manager: no lifespan, so the real engine is not loaded
    sign_in(c, AGENT, PASSWORD)
    r = c.get("/api/ask", params={"q": "loan"})
    assert r.status_code == 503 and "make index" in r.json()["message"]


def _vote(**overrides):
    body = {
        "sender": "web-abc123",
        "question": "loan overdue",
        "answer": "Loan Management Office",
        "department_id": "hpf.loans",
        "vote": "up",
    }
    body.update(overrides)
    return body


def test_feedback_is_stored(client, store):
    r = client.post("/api/feedback", json=_vote(vote="down"))
    assert r.status_code == 201
    saved = store.votes()[0]
    assert saved["id"] == r.json()["id"] and saved["vote"] == "down" and saved["department_id"] == "hpf.loans"
    assert store.gaps()[0]["question"] == "loan overdue"


@pytest.mark.parametrize(
    "body, code",
    [
        (_vote(vote="meh"), "bad_vote"),
        (_vote(sender="<script>"), "bad_sender"),
        (_vote(sender=""), "bad_sender"),
        (_vote(question="  "), "missing_question"),
        (_vote(department_id="../../etc"), "bad_department"),
        (_vote(answer=42), "bad_field"),
        ([1, 2], "body_not_object"),
        (_vote(question="x" * 2001), "question_too_long"),
    ],
)
def test_feedback_rejects_bad_input(client, body, code):
    r = client.post("/api/feedback", json=body)
    assert r.status_code == 400
    assert r.json()["error"] == code and r.json()["message"]


@pytest.mark.parametrize(
    "body, code",
    [
        (_vote(answer=42, question="x" * 2001, vote="meh"), "bad_field"),
        (_vote(question="x" * 2001, vote="meh"), "question_too_long"),
        (_vote(vote="meh", sender="<script>"), "bad_vote"),
        (_vote(sender="<script>", question=" "), "bad_sender"),
        (_vote(question="", department_id="../../etc"), "missing_question"),
        ({"question": "loan overdue"}, "bad_vote"),
        ({"question": "loan overdue", "vote": "up"}, "bad_sender"),
    ],
)
def test_feedback_reports_the_first_problem_when_several(client, body, code):
    """Several things wrong: the one reported is the first in web/requests.py FeedbackVote.PROBLEMS."""
    assert client.post("/api/feedback", json=body).json()["error"] == code


@pytest.mark.parametrize(
    "params, code",
    [({"k": "abc"}, "missing_query"), ({"q": "x" * 501, "k": "0"}, "query_too_long"), ({"q": " x ", "k": "+7"}, None)],
)
def test_ask_reports_the_first_problem_when_several(client, params, code):
    r = client.get("/api/ask", params=params)
    assert (r.json().get("error") if r.status_code != 200 else None) == code


def test_feedback_rejects_garbage_and_huge_bodies(client):
    as_json = {"content-type": "application/json"}
    assert client.post("/api/feedback", content=b"\xff\xfe not json", headers=as_json).json()["error"] == "invalid_json"
    assert client.post("/api/feedback", content=b"", headers=as_json).status_code == 400
    huge = json.dumps(_vote(answer="x" * 20_000))
    assert client.post("/api/feedback", content=huge, headers={"content-type": "application/json"}).status_code == 413
    assert client.get("/api/feedback").status_code == 405


def test_feedback_cors_only_for_allowed_origins(client):
    ok = client.options(
        "/api/feedback",
        headers={
            "Origin": "http://127.0.0.1:8080",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert ok.headers.get("access-control-allow-origin") == "http://127.0.0.1:8080"
    bad = client.options(
        "/api/feedback", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert bad.headers.get("access-control-allow-origin") != "*"
    assert "evil" not in bad.headers.get("access-control-allow-origin", "")


def test_gaps_page_escapes_questions(client, store):
    store.record_unanswered("web-x", "<img src=x onerror=alert(1)>", "en")
    page = client.get("/agent/gaps")
    assert page.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img src=x" not in page.text
    assert client.get("/api/gaps").json()["gaps"][0]["reason"] == "no_answer"
    assert client.get("/api/gaps", params={"limit": "x"}).status_code == 400


def test_unknown_paths(client):
    assert client.get("/api/nope").json() == {"error": "not_found", "message": "Not Found"}
    assert client.get("/nope").status_code == 404

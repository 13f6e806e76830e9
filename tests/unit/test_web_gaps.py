"""The knowledge-gaps page (issue 12, item 4): resolve / dismiss a gap (CSRF-protected, stored in the feedback
store), a very long question kept whole but out of the way, and the store's rules for closed gaps."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient
from web_fakes import AGENT, PASSWORD, FakeEngine, csrf_from, sign_in, staff_store

from feedback import FeedbackStore
from web.config import Settings
from web.server import create_app

LONG = ("我的公积金账户被冻结了请问怎么办" * 200)[:2724]  # 2,724 characters, no spaces


@pytest.fixture()
def store(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.db")
    store.record_unanswered("web-1", "where do I renew my passport", "en")
    store.record_unanswered("web-2", "Where do I renew my PASSPORT", "en")
    store.record_vote("web-3", "公积金贷款逾期了找谁", "Collection", "hpf.collection", "down")
    store.record_unanswered("web-4", LONG, "zh")
    return store


@pytest.fixture()
def client(store, tmp_path):
    staff = staff_store(tmp_path / "staff.db")
    app = create_app(Settings(port=8080), engine=FakeEngine(), store=store, staff=staff)
    with TestClient(app, base_url="http://127.0.0.1:8080") as c:
        sign_in(c, AGENT, PASSWORD, "/agent/gaps")
        yield c


def _rows(page_text: str) -> list[str]:
    return re.findall(r"<tr data-reason.*?</tr>", page_text, flags=re.S)


def _set(client, question, reason, status, token=None, show=""):
    token = csrf_from(client.get("/agent/gaps").text) if token is None else token
    return client.post(
        "/agent/gaps/status",
        data={"csrf": token, "question": question, "reason": reason, "status": status, "show": show},
        follow_redirects=False,
    )


# ---- the store -----------------------------------------------------------------------------------------------------
def test_store_resolved_and_dismissed_leave_the_default_list(store):
    assert len(store.gaps()) == 3 and all(g["status"] == "open" for g in store.gaps())
    assert store.set_gap_status("WHERE DO I RENEW MY PASSPORT", "no_answer", "dismissed", "agent-1") is True
    assert store.set_gap_status("公积金贷款逾期了找谁", "down", "resolved", "agent-1") is True
    left = store.gaps()
    assert [g["question"] for g in left] == [LONG]
    closed = {g["question"].lower(): g["status"] for g in store.gaps(include_closed=True)}
    assert closed["where do i renew my passport"] == "dismissed" and closed["公积金贷款逾期了找谁"] == "resolved"
    assert store.set_gap_status("where do I renew my passport", "no_answer", "open", "agent-1") is True
    assert len(store.gaps()) == 2


def test_store_only_marks_recorded_gaps(store):
    assert store.set_gap_status("never asked", "no_answer", "resolved", "agent-1") is False
    assert store.set_gap_status("公积金贷款逾期了找谁", "no_answer", "resolved", "agent-1") is False, (
        "the reason counts"
    )
    with pytest.raises(ValueError):
        store.set_gap_status("公积金贷款逾期了找谁", "down", "deleted", "agent-1")
    with pytest.raises(ValueError):
        store.set_gap_status("公积金贷款逾期了找谁", "spam", "resolved", "agent-1")


def test_store_a_resolved_gap_asked_again_is_open_again_a_dismissed_one_is_not(store):
    newest = max(g["last_seen"] for g in store.gaps())  # resolved when the last of them had been asked
    store.set_gap_status("where do I renew my passport", "no_answer", "resolved", "agent-1", when=newest)
    store.set_gap_status(LONG, "no_answer", "dismissed", "agent-1", when=newest)
    assert {g["question"] for g in store.gaps()} == {"公积金贷款逾期了找谁"}
    store.record_unanswered("web-9", "where do I renew my passport", "en")
    store.record_unanswered("web-9", LONG, "zh")
    reopened = {g["question"].lower(): g for g in store.gaps()}
    assert "where do i renew my passport" in reopened and reopened["where do i renew my passport"]["count"] == 3
    assert LONG.lower() not in reopened


# ---- the page ------------------------------------------------------------------------------------------------------
def test_page_lists_open_gaps_with_resolve_and_dismiss_forms(client):
    page = client.get("/agent/gaps")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert len(rows) == 3
    for row in rows:
        assert 'data-status="resolved"' in row and 'data-status="dismissed"' in row and 'name="csrf"' in row
    assert "agent-1" in page.text and 'action="/logout"' in page.text


def test_resolving_and_dismissing_remove_a_gap_from_the_list(client, store):
    r = _set(client, "公积金贷款逾期了找谁", "down", "resolved")
    assert r.status_code == 303 and r.headers["location"] == "/agent/gaps"
    page = client.get("/agent/gaps").text
    assert "公积金贷款逾期了找谁" not in page and len(_rows(page)) == 2
    assert _set(client, "where do I renew my passport", "no_answer", "dismissed").status_code == 303
    assert [g["question"] for g in client.get("/api/gaps").json()["gaps"]] == [LONG]
    everything = client.get("/agent/gaps", params={"show": "all"}).text
    assert (
        "公积金贷款逾期了找谁" in everything
        and "resolved · 已解决" in everything
        and "dismissed · 已忽略" in everything
    )
    r = _set(client, "公积金贷款逾期了找谁", "down", "open", show="all")
    assert r.headers["location"] == "/agent/gaps?show=all"
    assert "公积金贷款逾期了找谁" in client.get("/agent/gaps").text


def test_status_changes_need_the_csrf_token_and_a_login(client, store, engine):
    for token in ("", "forged-token-forged-token-forged-token"):
        assert _set(client, "公积金贷款逾期了找谁", "down", "resolved", token=token).status_code == 403
    assert len(store.gaps()) == 3
    anon = TestClient(client.app, base_url="http://127.0.0.1:8080")
    r = anon.post(
        "/agent/gaps/status",
        data={"csrf": "x", "question": "公积金贷款逾期了找谁", "reason": "down", "status": "resolved"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/agent/gaps")
    assert len(store.gaps()) == 3


@pytest.mark.parametrize(
    "question, reason, status, code",
    [
        ("公积金贷款逾期了找谁", "down", "deleted", 400),
        ("公积金贷款逾期了找谁", "spam", "resolved", 400),
        ("   ", "down", "resolved", 400),
        ("never asked", "no_answer", "resolved", 404),
    ],
)
def test_bad_status_changes_are_4xx(client, store, question, reason, status, code):
    assert _set(client, question, reason, status).status_code == code
    assert len(store.gaps()) == 3


def test_garbage_status_bodies_are_4xx(client):
    for body, ctype in (
        (b"\xff\xfe", "application/x-www-form-urlencoded"),
        (b"[1,2]", "application/json"),
        (b"question=" + b"q" * 100_000, "application/x-www-form-urlencoded"),
    ):
        r = client.post("/agent/gaps/status", content=body, headers={"content-type": ctype}, follow_redirects=False)
        assert 400 <= r.status_code < 500


def test_a_very_long_question_is_shortened_on_the_page_with_the_whole_text_one_click_away(client):
    page = client.get("/agent/gaps").text
    row = next(r for r in _rows(page) if "<details>" in r)
    summary = re.search(r'<summary><span class="preview">(.*?)</span>', row, flags=re.S).group(1)
    assert len(summary) < 400
    full = re.search(r'<p class="full">(.*?)</p>', row, flags=re.S).group(1)
    assert full == LONG and "show all 2724 characters" in row


def test_gap_text_is_escaped_in_every_attribute(client, store):
    store.record_unanswered("web-x", '"><img src=x onerror=alert(1)>', "en")
    page = client.get("/agent/gaps").text
    assert "<img src=x" not in page and '"><img' not in page
    assert _set(client, '"><img src=x onerror=alert(1)>', "no_answer", "dismissed").status_code == 303

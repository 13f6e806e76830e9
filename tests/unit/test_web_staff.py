"""Staff access (issue 10): the account store, the `whohandles staff` command, login / logout / CSRF / redirect /
lock-out through the real web app, the security headers on every page, templates never served raw, and the
request limits of the real uvicorn server."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from starlette.testclient import TestClient
from web_fakes import AGENT, PASSWORD, FakeEngine, csrf_from, sign_in, staff_store

from deploy.devstack import ROOT, Stack, StackError, free_port
from feedback import FeedbackStore
from web.auth import LoginThrottle, safe_next
from web.config import Settings
from web.http_limits import server_config
from web.server import create_app
from web.staff import StaffError, StaffStore

CLI = [sys.executable, "-m", "retrieval.cli"]


@pytest.fixture(scope="module")
def engine():
    return FakeEngine()


@pytest.fixture()
def staff(tmp_path):
    store = staff_store(tmp_path / "staff.db")
    return store


@pytest.fixture()
def feedback(tmp_path):
    return FeedbackStore(tmp_path / "feedback.db")


def make_app(engine, feedback, staff, **settings):
    return create_app(Settings(port=8080, **settings), engine=engine, store=feedback, staff=staff)


@pytest.fixture()
def app(engine, feedback, staff):
    return make_app(engine, feedback, staff)


@pytest.fixture()
def anon(app):
    with TestClient(app, base_url="http://127.0.0.1:8080") as c:
        yield c


@pytest.fixture()
def agent(app):
    with TestClient(app, base_url="http://127.0.0.1:8080") as c:
        sign_in(c, AGENT, PASSWORD)
        yield c


def post_login(client, name, password, next_url="/agent", token=None):
    token = csrf_from(client.get("/login").text) if token is None else token
    return client.post(
        "/login", data={"username": name, "password": password, "csrf": token, "next": next_url}, follow_redirects=False
    )


# ---- the store -----------------------------------------------------------------------------------------------------
def test_store_hashes_with_argon2id_and_verifies(staff):
    raw = staff.path.read_bytes()
    assert PASSWORD.encode() not in raw, "the password is never stored as typed"
    with __import__("sqlite3").connect(staff.path) as conn:
        digest = conn.execute("SELECT hash FROM staff WHERE name = 'agent-1'").fetchone()[0]
    assert digest.startswith("$argon2id$")
    assert staff.verify("agent-1", PASSWORD) == "agent-1"
    assert staff.verify("AGENT-1", PASSWORD) == "agent-1", "names are case-insensitive, the stored spelling is returned"
    assert staff.verify("agent-1", PASSWORD + "x") is None
    assert staff.verify("agent-1", "") is None
    assert staff.verify("nobody", PASSWORD) is None
    assert staff.verify("../etc", PASSWORD) is None
    assert stat.S_IMODE(os.stat(staff.path).st_mode) == 0o600


def test_store_add_list_remove_and_replace(staff):
    staff.add("agent-2", "another long password")
    assert [a["name"] for a in staff.list()] == ["agent-1", "agent-2"]
    with pytest.raises(StaffError, match="already exists"):
        staff.add("Agent-2", "yet another password")
    for bad_name in ("", "a b", "<script>", "x" * 65, "-leading", "agent-9\n"):
        with pytest.raises(StaffError):
            staff.add(bad_name, "a long enough password")
    with pytest.raises(StaffError, match="at least"):
        staff.add("agent-3", "short")
    with pytest.raises(StaffError, match="UTF-8"):
        staff.add("agent-3", "long enough \udc80 but broken")
    assert staff.verify("agent-1", "\udc80" * 12) is None
    before = time.time()
    staff.add("agent-2", "a brand new password", replace=True)
    assert staff.verify("agent-2", "another long password") is None
    assert staff.verify("agent-2", "a brand new password") == "agent-2"
    assert not staff.session_valid("agent-2", before - 1), "a new password ends the older sessions"
    assert staff.remove("agent-2") is True and staff.remove("agent-2") is False
    assert [a["name"] for a in staff.list()] == ["agent-1"]
    assert not staff.session_valid("agent-2", time.time())


def test_cli_add_list_remove(tmp_path):
    db = tmp_path / "cli-staff.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args, stdin=""):
        return subprocess.run(
            [*CLI, "staff", "--db", str(db), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    added = run("add", "desk-7", "--password-stdin", stdin="a password from stdin\n")
    assert added.returncode == 0, added.stderr
    assert StaffStore(db).verify("desk-7", "a password from stdin") == "desk-7", "the newline is not part of it"
    assert run("add", "desk-7", "--password-stdin", stdin="another password here\n").returncode == 2
    assert run("add", "desk-8", "--password-stdin", stdin="short\n").returncode == 2
    assert "desk-7" in run("list").stdout
    assert run("remove", "desk-7").returncode == 0
    assert run("remove", "desk-7").returncode == 1
    assert "No staff accounts" in run("list").stdout
    assert not (tmp_path / "var").exists()


# ---- login, logout, redirect ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/agent", "/agent/gaps", "/agent/gaps?show=all"])
def test_staff_pages_redirect_to_login_and_back(anon, path):
    r = anon.get(path, follow_redirects=False)
    assert r.status_code == 303
    target = urlsplit(r.headers["location"])
    assert target.path == "/login" and parse_qs(target.query)["next"] == [path]
    login = anon.get(r.headers["location"])
    assert login.status_code == 200 and 'name="username"' in login.text and 'type="password"' in login.text
    assert f'name="next" value="{path.replace("&", "&amp;")}"' in login.text
    done = post_login(anon, "agent-1", PASSWORD, next_url=path)
    assert done.status_code == 303 and done.headers["location"] == path
    assert anon.get(path, follow_redirects=False).status_code == 200


@pytest.mark.parametrize("path", ["/api/ask?q=loan", "/api/gaps"])
def test_console_apis_need_a_login(anon, path):
    r = anon.get(path)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized" and "login" in r.json()["message"].lower()
    post_login(anon, "agent-1", PASSWORD)
    assert anon.get(path).status_code == 200


def test_public_parts_need_no_login(anon, feedback):
    assert anon.get("/").status_code == 200
    assert anon.get("/widget.js").status_code == 200 and anon.get("/healthz").status_code == 200
    vote = {"sender": "web-1", "question": "loan overdue", "answer": "x", "department_id": "hpf.loans", "vote": "up"}
    assert anon.post("/api/feedback", json=vote).status_code == 201


def test_wrong_password_is_refused(anon):
    r = post_login(anon, "agent-1", "not the password")
    assert r.status_code == 401 and "Wrong name or password" in r.text
    assert 'value="agent-1"' in r.text and "not the password" not in r.text
    assert anon.get("/agent", follow_redirects=False).status_code == 303
    assert post_login(anon, "nobody", PASSWORD).status_code == 401


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/agent",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/login",
        "/logout",
        "agent",
        "/agent\r\nSet-Cookie: x=1",
        "",
    ],
)
def test_next_is_a_path_on_this_site_only(anon, target):
    assert safe_next(target) == "/agent"
    r = post_login(anon, "agent-1", PASSWORD, next_url=target)
    assert r.status_code == 303 and r.headers["location"] == "/agent"


def test_next_keeps_same_site_paths():
    assert safe_next("/agent/gaps?show=all") == "/agent/gaps?show=all"


def test_login_needs_the_csrf_token(anon):
    anon.get("/login")
    for token in ("", "forged-token-forged-token-forged-token"):
        r = post_login(anon, "agent-1", PASSWORD, token=token)
        assert r.status_code == 403 and "expired" in r.text
    assert anon.get("/agent", follow_redirects=False).status_code == 303
    fresh = TestClient(anon.app, base_url="http://127.0.0.1:8080")  # no session cookie at all, a cross-site POST
    r = fresh.post(
        "/login",
        data={"username": "agent-1", "password": PASSWORD, "csrf": "x", "next": "/agent"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_session_cookie_flags(anon):
    r = post_login(anon, "agent-1", PASSWORD)
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith("whohandles_staff=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie


def test_https_setting_makes_the_cookie_secure(engine, feedback, staff):
    with TestClient(make_app(engine, feedback, staff, https=True), base_url="https://127.0.0.1:8080") as c:
        cookie = post_login(c, "agent-1", PASSWORD).headers["set-cookie"].lower()
    assert cookie.startswith("__host-whohandles_staff=") and "; secure" in cookie and "httponly" in cookie


def test_logout_needs_csrf_and_ends_the_session(agent):
    page = agent.get("/agent")
    assert "agent-1" in page.text
    assert agent.post("/logout", data={"csrf": "wrong"}, follow_redirects=False).status_code == 403
    assert agent.get("/agent", follow_redirects=False).status_code == 200, "a forged logout changes nothing"
    r = agent.post("/logout", data={"csrf": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?bye=1"
    assert agent.get("/agent", follow_redirects=False).status_code == 303
    assert agent.get("/api/gaps").status_code == 401
    assert agent.get("/logout").status_code == 405


def test_an_account_added_while_running_can_log_in_and_a_removed_one_is_out(anon, staff):
    StaffStore(staff.path).add("late-joiner", "joined after the start")  # as `whohandles staff add` would
    assert post_login(anon, "late-joiner", "joined after the start").status_code == 303
    assert anon.get("/agent", follow_redirects=False).status_code == 200
    StaffStore(staff.path).remove("late-joiner")
    assert anon.get("/agent", follow_redirects=False).status_code == 303


def test_session_secret_is_generated_once_and_survives_a_restart(engine, feedback, staff):
    assert not staff.path.with_name("session.key").exists()
    with TestClient(make_app(engine, feedback, staff), base_url="http://127.0.0.1:8080") as first:
        sign_in(first, AGENT, PASSWORD)
        cookies = dict(first.cookies)
    key = staff.path.with_name("session.key")
    assert key.exists() and stat.S_IMODE(os.stat(key).st_mode) == 0o600 and len(key.read_text().strip()) >= 40
    with TestClient(make_app(engine, feedback, staff), base_url="http://127.0.0.1:8080", cookies=cookies) as again:
        assert again.get("/agent", follow_redirects=False).status_code == 200
    with TestClient(
        make_app(engine, feedback, staff, session_secret="another-secret-" * 3),
        base_url="http://127.0.0.1:8080",
        cookies=cookies,
    ) as other:
        assert other.get("/agent", follow_redirects=False).status_code == 303, "a cookie signed with another key"


def test_tampered_cookie_is_not_a_session(agent, staff):
    import base64
    import json

    payload, stamp, signature = agent.cookies["whohandles_staff"].split(".")
    data = json.loads(base64.b64decode(payload))
    staff.add("admin", "the admin's password")
    forged = base64.b64encode(json.dumps({**data, "staff": "admin"}).encode()).decode()
    for cookie in (
        f"{forged}.{stamp}.{signature}",
        f"{payload}.{stamp}.{signature[:-1]}x",
        f"{payload}.{stamp}.{signature}",
    ):
        with TestClient(agent.app, base_url="http://127.0.0.1:8080", cookies={"whohandles_staff": cookie}) as other:
            page = other.get("/agent", follow_redirects=False)
            assert page.status_code == (200 if cookie.startswith(payload) and cookie.endswith(signature) else 303)
            assert "admin" not in page.text


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_lock_out_after_repeated_wrong_passwords_per_name(anon, app):
    clock = FakeClock()
    app.state.login_throttle = LoginThrottle(clock=clock)
    for _ in range(5):
        assert post_login(anon, "agent-1", "wrong password!").status_code == 401
    locked = post_login(anon, "agent-1", PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0 and "Too many" in locked.text
    assert anon.get("/agent", follow_redirects=False).status_code == 303, (
        "the right password does not get in while locked"
    )
    clock.now += 901
    assert post_login(anon, "agent-1", PASSWORD).status_code == 303


def test_lock_out_per_address_across_names(anon, app, staff):
    clock = FakeClock()
    app.state.login_throttle = LoginThrottle(clock=clock)
    for i in range(20):
        assert post_login(anon, f"guess-{i}", "wrong password!").status_code == 401
    assert post_login(anon, "agent-1", PASSWORD).status_code == 429


def test_throttle_memory_is_bounded():
    throttle = LoginThrottle(max_keys=50, clock=FakeClock())
    for i in range(1000):
        throttle.failed(f"name-{i}", f"10.0.{i // 256}.{i % 256}")
    assert len(throttle._failures) <= 50


def test_trusted_proxy_header_only_when_configured(engine, feedback, staff):
    with TestClient(make_app(engine, feedback, staff), base_url="http://127.0.0.1:8080") as off:
        assert off.get("/agent", headers={"X-Forwarded-User": "agent-1"}, follow_redirects=False).status_code == 303
    app = make_app(engine, feedback, staff, trusted_user_header="X-Forwarded-User")
    with TestClient(app, base_url="http://127.0.0.1:8080") as on:
        page = on.get("/agent", headers={"X-Forwarded-User": "proxy-user"}, follow_redirects=False)
        assert page.status_code == 200 and "proxy-user" in page.text
        assert on.get("/agent", headers={"X-Forwarded-User": "<bad name>"}, follow_redirects=False).status_code == 303
        assert on.get("/agent", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "body, ctype",
    [
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b"username=" + b"a" * 10_000 + b"&password=x", "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\nhi\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
        (b'{"username": "agent-1"}', "application/json"),
        (b"username=%ED%A0%80&password=%00&csrf=%ff", "application/x-www-form-urlencoded"),
    ],
)
def test_bad_login_bodies_are_4xx(anon, body, ctype):
    anon.get("/login")
    r = anon.post("/login", content=body, headers={"content-type": ctype}, follow_redirects=False)
    assert 400 <= r.status_code < 500
    r = anon.post("/logout", content=body, headers={"content-type": ctype}, follow_redirects=False)
    assert 400 <= r.status_code < 500


# ---- headers on every page, templates never raw --------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 200),
        ("/agent", 200),
        ("/agent/gaps", 200),
        ("/agent/gaps?show=all", 200),
        ("/nope", 404),
        ("/static/agent.html", 404),
    ],
)
def test_every_html_response_has_the_csp_and_friends(agent, path, status):
    r = agent.get(path, follow_redirects=False)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src" in csp and "*" not in csp.replace("'", "")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"]
    assert "server" not in r.headers and "strict-transport-security" not in r.headers


def test_non_html_responses_get_the_headers_too(agent):
    for path in ("/api/gaps", "/widget.js", "/static/agent.css", "/api/nope", "/login?next=//x"):
        r = agent.get(path, follow_redirects=False)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert r.headers["x-content-type-options"] == "nosniff", path


def test_redirects_and_the_login_page_carry_the_headers(anon):
    r = anon.get("/agent", follow_redirects=False)
    assert r.status_code == 303 and "frame-ancestors 'none'" in r.headers["content-security-policy"]
    login = anon.get("/login")
    assert login.status_code == 200 and "frame-ancestors 'none'" in login.headers["content-security-policy"]
    assert login.headers["x-frame-options"] == "DENY" and login.headers["cache-control"] == "no-store"


def test_hsts_only_when_set(engine, feedback, staff):
    with TestClient(make_app(engine, feedback, staff, hsts_seconds=31536000)) as c:
        assert c.get("/").headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    "path",
    [
        "/static/agent.html",
        "/static/gaps.html",
        "/static/index.html",
        "/static/login.html",
        "/static/AGENT.HTML",
        "/static/agent.html/",
        "/static/./index.html",
        "/static/../static/gaps.html",
        "/static/agent.html%00",
        "/static/",
    ],
)
def test_templates_are_never_served_raw(agent, path):
    r = agent.get(path, follow_redirects=False)
    assert r.status_code == 404, path
    assert "{{" not in r.text


def test_cors_stays_an_allow_list(anon):
    r = anon.options(
        "/api/feedback", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert r.headers.get("access-control-allow-origin") in (None, "") and "*" not in r.headers.get(
        "access-control-allow-origin", ""
    )


def test_body_limit_by_length_and_by_counting(engine, feedback, staff):
    with TestClient(make_app(engine, feedback, staff, max_body_bytes=1000), base_url="http://127.0.0.1:8080") as c:
        token = csrf_from(c.get("/login").text)
        big = {"username": "agent-1", "password": "x" * 3000, "csrf": token}
        assert c.post("/login", data=big, follow_redirects=False).status_code == 413

        def chunks():  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"a" * 400

        r = c.post("/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413
        assert post_login(c, "agent-1", PASSWORD).status_code == 303, "a normal form still fits"


# ---- the real uvicorn server: header size, slow requests, no banner -------------------------------------------------
@pytest.fixture()
def live(engine, feedback, staff):
    """The app under uvicorn with the production server settings (web/http_limits.py), a 1 s request deadline."""
    settings = Settings(port=free_port(), request_timeout=1.0, max_header_bytes=8192)
    app = create_app(settings, engine=engine, store=feedback, staff=staff)
    server = uvicorn.Server(server_config(app, settings, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)  # poll until the port is open
    yield settings
    server.should_exit = True
    thread.join(10)


def _exchange(port: int, data: bytes, wait: float = 15.0) -> bytes:
    """Send data, read until the server closes (socket timeout only so a broken server cannot hang the suite)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def test_server_answers_without_a_banner(live):
    reply = _exchange(live.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 200") and b"\r\nserver:" not in head
    assert b"frame-ancestors 'none'" in head


def test_server_refuses_a_huge_header(live):
    reply = _exchange(live.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400"), reply[:80]


def test_server_drops_a_half_sent_request(live):
    reply = _exchange(live.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and then nothing more
    assert reply.startswith(b"HTTP/1.1 408"), reply[:80]


def test_server_drops_a_half_sent_body(live):
    reply = _exchange(
        live.port,
        b"POST /api/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 500\r\n\r\n{"sender":',
    )
    assert reply.startswith(b"HTTP/1.1 408"), reply[:80]


def test_server_times_out_a_slow_second_request_on_a_kept_alive_connection(live):
    first = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    reply = _exchange(live.port, first + b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in reply


def test_server_keeps_a_normal_keep_alive_connection(live):
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    reply = _exchange(live.port, request * 2 + b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert reply.count(b"HTTP/1.1 200") == 3 and b"408" not in reply


# ---- stacks for tests and benchmarks keep their own files ----------------------------------------------------------
def test_stacks_write_only_to_their_own_workdir(tmp_path):
    stack = Stack(tmp_path / "stack", web=True)
    env = stack.env()
    for name in ("WHOHANDLES_TRACKER_DB", "WHOHANDLES_FEEDBACK_DB", "WHOHANDLES_STAFF_DB"):
        assert Path(env[name]).parent == tmp_path / "stack", name
    with pytest.raises(StackError, match="var/"):
        Stack(ROOT / "var" / "test-stack").env()


def test_tests_never_use_the_product_stores():
    for name in ("WHOHANDLES_FEEDBACK_DB", "WHOHANDLES_TRACKER_DB", "WHOHANDLES_STAFF_DB"):
        assert (ROOT / "var").resolve() not in Path(os.environ[name]).resolve().parents, name
    assert (ROOT / "var").resolve() not in FeedbackStore().path.resolve().parents
    assert (ROOT / "var").resolve() not in StaffStore().path.resolve().parents

"""Staff login in front of the hotline console, the knowledge-gaps page and their APIs.

- Accounts: web/staff.py (SQLite + argon2id), managed with `whohandles staff add|remove|list`; looked up on
  every login and request, so an account added or removed while the server runs counts at once.
- Sessions: Starlette's SessionMiddleware, a cookie signed with itsdangerous (HttpOnly, SameSite=Lax, Secure
  and the `__Host-` prefix when WHOHANDLES_HTTPS=1), max age WHOHANDLES_SESSION_HOURS. The secret is
  WHOHANDLES_SESSION_SECRET or generated once into `session.key` beside the staff DB. A session names its
  account and its login time: a removed account or a changed password ends it.
- CSRF: every staff form (login, logout, gap resolve/dismiss) carries a random per-session token checked with
  a constant-time comparison; the cookie is SameSite=Lax on top.
- Wrong passwords: 5 per name or 20 per client address in 15 minutes lock that name / address out until the
  oldest failure is 15 minutes old (429 with Retry-After). Unknown names cost the same argon2 time.
- WHOHANDLES_TRUSTED_USER_HEADER (off by default): behind a reverse proxy that authenticates staff itself and
  sets this header, its value is the staff name. Only for servers that nobody reaches except through that
  proxy (which must drop the header from clients' requests).
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import secrets
import time
from collections import OrderedDict, deque
from pathlib import Path
from typing import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from web import pages
from web.config import Settings
from web.security_headers import page_csp
from web.staff import NAME, StaffStore

log = logging.getLogger("whohandles.web")
STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "whohandles_staff"
DEFAULT_NEXT = "/agent"
FORM_LIMITS = {"max_files": 0, "max_fields": 8, "max_part_size": 4096}
Endpoint = Callable[[Request], Awaitable[Response]]


# ---- sessions ------------------------------------------------------------------------------------------------------
def session_secret(settings: Settings, staff: StaffStore) -> str:
    """The configured secret, or the one generated on first run into session.key beside the staff DB."""
    if settings.session_secret:
        return settings.session_secret
    path = staff.path.with_name("session.key")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if secret:
            return secret
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret


def cookie_name(settings: Settings) -> str:
    return "__Host-" + COOKIE if settings.https else COOKIE


def middleware(settings: Settings, staff: StaffStore) -> list[Middleware]:
    """The session middleware the staff pages need (place it inside CORS and the security headers)."""
    return [
        Middleware(
            SessionMiddleware,
            secret_key=session_secret(settings, staff),
            session_cookie=cookie_name(settings),
            max_age=max(60, int(settings.session_hours * 3600)),
            same_site="lax",
            https_only=settings.https,
        )
    ]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    token = request.session.get("csrf")
    return (
        isinstance(token, str)
        and isinstance(sent, str)
        and hmac.compare_digest(token.encode(), sent.encode("utf-8", "replace"))
    )


def current_staff(request: Request) -> str | None:
    """The signed-in staff name, or None."""
    settings: Settings = request.app.state.settings
    if settings.trusted_user_header:
        name = request.headers.get(settings.trusted_user_header, "").strip()
        if NAME.match(name):
            return name
    session_name, since = request.session.get("staff"), request.session.get("since")
    if (
        isinstance(session_name, str)
        and isinstance(since, (int, float))
        and request.app.state.staff.session_valid(session_name, since)
    ):
        return session_name
    return None


def safe_next(target: object) -> str:
    """Where to go after login: a path on this site only (no scheme, host, `//`, backslash or control chars)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or len(target) > 2000:
        return DEFAULT_NEXT
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return DEFAULT_NEXT
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return DEFAULT_NEXT
    return target


def require_staff(endpoint: Endpoint) -> Endpoint:
    """Only for signed-in staff: pages redirect to /login (and back afterwards), APIs answer 401."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        name = current_staff(request)
        if name is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "Staff login required: sign in at /login.")
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if request.method not in ("GET", "HEAD"):  # a form sent after the session ended: back to its page
                target = "/agent/gaps" if request.url.path.startswith("/agent/gaps") else DEFAULT_NEXT
            return RedirectResponse(
                "/login?next=" + quote(safe_next(target), safe="/"),
                status_code=303,
                headers={"Cache-Control": "no-store"},
            )
        request.state.staff = name
        return await endpoint(request)

    return guarded


# ---- wrong-password lock-out ---------------------------------------------------------------------------------------
class LoginThrottle:
    """Failed logins per name and per client address in a sliding window; over the limit → locked out.

    clock: a monotonic clock (tests pass their own). At most max_keys names/addresses are remembered (the
    least recently failed are forgotten first), so a flood of made-up names cannot grow memory without bound.
    """

    def __init__(
        self,
        per_name: int = 5,
        per_address: int = 20,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.limits = {"name": per_name, "address": per_address}
        self.window, self.clock, self.max_keys = window, clock, max_keys
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        now, times = self.clock(), self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, name: str, address: str) -> float:
        """Seconds until this name and address may try again (0: now)."""
        wait = 0.0
        for kind, value in (("name", name.lower()), ("address", address)):
            times = self._recent((kind, value))
            if len(times) >= self.limits[kind]:
                wait = max(wait, times[len(times) - self.limits[kind]] + self.window - self.clock())
        return wait

    def failed(self, name: str, address: str) -> None:
        for key in (("name", name.lower()), ("address", address)):
            times = self._recent(key)
            times.append(self.clock())
            self._failures[key] = times
            self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        self._failures.pop(("name", name.lower()), None)


# ---- pages ---------------------------------------------------------------------------------------------------------
def staff_html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A staff page's HTML: our pages' CSP, and never stored by a browser or proxy."""
    return HTMLResponse(
        text,
        status_code=status,
        headers={"Content-Security-Policy": page_csp(), "Cache-Control": "no-store", **(headers or {})},
    )


def render(name: str, status: int = 200, headers: dict[str, str] | None = None, **values: str) -> HTMLResponse:
    """A template from web/static with {{KEY}} placeholders filled in, HTML-escaped."""
    return staff_html(pages.render_text(name, **values), status, headers)


def _login_page(
    request: Request,
    message: str = "",
    name: str = "",
    next_url: str = DEFAULT_NEXT,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return render("login.html", status, headers, CSRF=csrf_token(request), NEXT=next_url, NAME=name, MESSAGE=message)


async def login_form(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next", DEFAULT_NEXT))
    if current_staff(request):
        return RedirectResponse(next_url, status_code=303)
    message = "Signed out. · 已退出登录。" if request.query_params.get("bye") == "1" else ""
    return _login_page(request, message, next_url=next_url)


async def login(request: Request) -> Response:
    try:
        form = await request.form(**FORM_LIMITS)
    except HTTPException:
        raise
    except Exception:  # python-multipart's limits and malformed bodies: a plain refusal, never a 500
        raise HTTPException(400, "Send the login form.") from None
    name, password = form.get("username", ""), form.get("password", "")
    next_url = safe_next(form.get("next", DEFAULT_NEXT))
    name = name.strip() if isinstance(name, str) else ""
    if not csrf_ok(request, form.get("csrf")):
        return _login_page(
            request,
            "This form had expired; please sign in again. · 页面已过期，请重新登录。",
            name,
            next_url,
            status=403,
        )
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(name, address)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        return _login_page(
            request,
            f"Too many wrong passwords. Try again in {minutes} min. · 密码错误次数过多，请 {minutes} 分钟后再试。",
            name,
            next_url,
            status=429,
            headers={"Retry-After": str(int(wait) + 1)},
        )
    staff: StaffStore = request.app.state.staff
    account = await run_in_threadpool(staff.verify, name, password if isinstance(password, str) else "")
    if account is None:
        throttle.failed(name, address)
        return _login_page(request, "Wrong name or password. · 用户名或密码错误。", name, next_url, status=401)
    throttle.succeeded(name)
    request.session.clear()  # a fresh session (and CSRF token) on every login: no session fixation
    request.session.update(staff=account, since=time.time(), csrf=secrets.token_urlsafe(32))
    return RedirectResponse(next_url, status_code=303)


async def logout(request: Request) -> Response:
    try:
        form = await request.form(**FORM_LIMITS)
    except HTTPException:
        raise
    except Exception:
        raise HTTPException(400, "Send the logout form.") from None
    if not csrf_ok(request, form.get("csrf")):
        return render(
            "login.html",
            403,
            CSRF=csrf_token(request),
            NEXT=DEFAULT_NEXT,
            NAME="",
            MESSAGE="This form had expired; reload the page and sign out again. · 页面已过期，请刷新后再退出。",
        )
    request.session.clear()
    return RedirectResponse("/login?bye=1", status_code=303)


def warn_if_no_staff(staff: StaffStore) -> None:
    """At start-up: say how to create the first account, instead of a console nobody can open."""
    try:
        if not staff.list():
            log.warning(
                "no staff accounts yet (%s): the console and the gaps page need one; create it with "
                "`whohandles staff add NAME --password-stdin`",
                staff.path,
            )
    except Exception as exc:  # an unreadable store must not stop the public pages
        log.warning("staff accounts unreadable (%s): %s", staff.path, exc)


def routes() -> list[Route]:
    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


def staff_values(request: Request) -> dict[str, str]:
    """Placeholders for a staff page's header: who is signed in and the logout form's CSRF token."""
    return {"STAFF": getattr(request.state, "staff", ""), "CSRF": csrf_token(request)}

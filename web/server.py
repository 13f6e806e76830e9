"""HTTP server for the citizen widget, its demo page, the hotline agent console and the feedback API.

`python -m web.server` serves on 127.0.0.1:8080 (WHOHANDLES_WEB_HOST / _PORT, or --host/--port). The retrieval
engine is loaded once at start-up, so the port opens only when console lookups are fast; without an index the
pages still work and /api/ask answers 503 with what to run.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route

from common import errors, organizations, retention
from common import settings as setting
from common.ratelimit import RateLimiter
from feedback import FeedbackStore
from web import api, auth, gaps, pages
from web.config import Settings
from web.guard import ApiGuard
from web.http_limits import BodyLimit, server_config
from web.security_headers import AssetFiles, SecurityHeaders, page_csp
from web.staff import StaffStore
from web.terms import warm_up

log = logging.getLogger("whohandles.web")
STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 16_384  # every /api/ request body (web/guard.py)


class EngineHolder:
    """The retrieval engine, loaded once; lookups are serialised because the engine is not known to be thread-safe."""

    def __init__(self, engine=None) -> None:
        self.engine = engine
        self.problem = "" if engine else "engine not loaded"
        self._lock = threading.Lock()

    def load(self) -> None:
        try:
            from retrieval import Engine  # noqa: PLC0415 — heavy import, only in the server process
        except ImportError as exc:
            self.problem = f"retrieval engine unavailable: {exc}"
            log.warning(self.problem)
            return
        try:
            self.engine = Engine.load(setting.path("INDEX_DIR"))
            self.engine.ask("warm up 公积金", k=3)
            self.problem = ""
        except Exception as exc:  # IndexMissingError and friends: serve the pages anyway, explain on /api/ask
            self.problem = f"{type(exc).__name__}: {exc} (run `make index`)"
            log.warning("console lookups disabled: %s", self.problem)

    def ask(self, query: str, k: int):
        with self._lock:
            return self.engine.ask(query, k=k)


def _page(name: str, csp: str, **values: str) -> HTMLResponse:
    return HTMLResponse(
        pages.render_text(name, **values),
        headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"},  # the rest: SecurityHeaders
    )


ORGS_PLACEHOLDER = "/*{{ORGS}}*/ null"


TEXT_PLACEHOLDER = "/*{{TEXT}}*/ null"


@functools.cache  # every citizen page loads it; the files change only with a deployment (a restart)
def widget_js() -> str:
    """widget.js with the organisations' names and hotlines filled in from the department catalogue
    (common.organizations), and its interface texts from its message catalogue (static/widget-text.json):
    the script keeps no copy of either."""
    table = json.dumps(organizations.as_table(), ensure_ascii=False)
    texts = json.dumps(json.loads((STATIC / "widget-text.json").read_text(encoding="utf-8")), ensure_ascii=False)
    script = (STATIC / "widget.js").read_text(encoding="utf-8")
    return script.replace(ORGS_PLACEHOLDER, table).replace(TEXT_PLACEHOLDER, texts)


# ---- pages ---------------------------------------------------------------------------------------------------------
async def index(request: Request) -> Response:
    rasa_url = request.app.state.settings.rasa_url
    return _page("index.html", page_csp(rasa_url), RASA_URL=rasa_url)


async def agent(request: Request) -> Response:
    hotlines = " · ".join(f"{o.hotline} {o.name}" for o in organizations.organizations().values())
    return _page("agent.html", page_csp(), SUBTITLE=hotlines, **auth.staff_values(request))


async def asset(request: Request) -> Response:
    name = request.url.path.lstrip("/")
    return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})


async def widget_script(request: Request) -> Response:
    return Response(
        widget_js(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


# ---- errors and start-up -------------------------------------------------------------------------------------------
async def on_http_error(request: Request, exc: HTTPException) -> Response:
    if request.url.path.startswith("/api/") or exc.status_code != 404:
        return api.error(exc.status_code, errors.status_code_name(exc.status_code), str(exc.detail))
    return HTMLResponse("<!doctype html><title>Not found</title><p>Page not found · 页面不存在</p>", 404)


async def on_crash(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path)
    return api.error(500, "internal_error", "Something went wrong on our side; please try again.")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    state = app.state
    warm_up()
    auth.warn_if_no_staff(state.staff)
    days = retention.retention_days()
    if days:  # stored questions older than the retention period: deleted now and daily
        store: FeedbackStore = state.store
        retention.start_daily(lambda: retention.purge_feedback(store.path, days), "feedback")
    holder: EngineHolder = state.engine
    if holder.engine is None:  # not passed to create_app (tests pass theirs)
        await asyncio.to_thread(holder.load)
    yield


def create_app(
    settings: Settings | None = None, engine=None, store: FeedbackStore | None = None, staff: StaffStore | None = None
) -> Starlette:
    """Build the app. Passing `engine` (tests) skips loading the real one."""
    settings = settings or Settings.from_env()
    store = store or FeedbackStore(settings.feedback_db)
    staff = staff or StaffStore(settings.staff_db)
    limiter = RateLimiter(settings.rate_limits)
    routes = [
        Route("/", index),
        Route("/agent", auth.require_staff(agent)),
        *gaps.routes(),
        *auth.routes(),
        Route("/widget.js", widget_script),
        Route("/widget.css", asset),
        Route("/healthz", api.healthz),
        Route("/api/ask", auth.require_staff(api.ask)),
        Route("/api/feedback", api.feedback, methods=["POST"]),
        Route("/api/gaps", auth.require_staff(api.gaps_json)),
        Mount("/static", AssetFiles(directory=STATIC), name="static"),
    ]
    # Outermost first: security headers on every answer (errors included); CORS; the API's own checks (rate,
    # content type, origin, its 16 KB body limit); the body limit of everything else; staff sessions.
    middleware = [
        Middleware(SecurityHeaders, hsts_seconds=settings.hsts_seconds),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        ),
        Middleware(ApiGuard, allowed_origins=settings.allowed_origins, limiter=limiter, max_body=MAX_BODY),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        *auth.middleware(settings, staff),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: on_http_error, Exception: on_crash},  # type: ignore[dict-item]
    )
    # What the handlers (here, web/api.py, web/auth.py, web/gaps.py) read from request.app.state.
    app.state.settings, app.state.store, app.state.engine = settings, store, EngineHolder(engine)
    app.state.staff, app.state.login_throttle = staff, auth.LoginThrottle()
    app.state.limiter = limiter
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m web.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--rasa-url", help="Rasa server the demo page's widget talks to")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port, rasa_url=args.rasa_url)
    except setting.SettingError as exc:
        raise SystemExit(f"whohandles: {exc}") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    import uvicorn  # noqa: PLC0415

    uvicorn.Server(server_config(create_app(settings), settings)).run()  # web/http_limits.py: limits, no banner


if __name__ == "__main__":
    main()

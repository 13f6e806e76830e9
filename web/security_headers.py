"""Security headers on every response of the web server, and static files that never include the page templates.

Every response gets nosniff, X-Frame-Options DENY, a Referrer-Policy and a Content-Security-Policy with
`frame-ancestors 'none'` (a page that set its own CSP keeps it, with frame-ancestors added if it lacked one;
anything else, error pages included, gets a CSP that allows nothing). With WHOHANDLES_HSTS_SECONDS > 0
(HTTPS deployments only) Strict-Transport-Security too. No `Server:` header is ever sent.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOTHING_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def page_csp(connect: str = "") -> str:
    """The Content-Security-Policy of our own HTML pages: everything from this origin only (plus `connect`, the
    Rasa server the demo page's widget talks to), never framed."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self' {connect}".rstrip()
        + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


class SecurityHeaders:
    """Pure ASGI middleware (outermost, so error responses get the headers too)."""

    def __init__(self, app: ASGIApp, hsts_seconds: int = 0) -> None:
        self.app = app
        self.hsts = f"max-age={int(hsts_seconds)}; includeSubDomains" if hsts_seconds > 0 else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                csp = headers.get("content-security-policy")
                if not csp:
                    headers["Content-Security-Policy"] = NOTHING_CSP
                elif "frame-ancestors" not in csp:
                    headers["Content-Security-Policy"] = csp.rstrip("; ") + "; frame-ancestors 'none'"
                if self.hsts:
                    headers["Strict-Transport-Security"] = self.hsts
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AssetFiles(StaticFiles):
    """StaticFiles for scripts, styles and images only: the HTML templates under web/static are served by their
    routes (filled in, with their CSP), never raw — /static/agent.html is a 404."""

    async def get_response(self, path: str, scope: Scope):
        if path.lower().rstrip("/. ").endswith((".html", ".htm")):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)

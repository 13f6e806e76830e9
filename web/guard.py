"""What every web API request passes before a handler runs (a pure ASGI middleware, inside the CORS one).

- `/api/*`: the per-IP rate limit (common/ratelimit.py) → 429 with Retry-After and a bilingual message;
- every POST to `/api/*`: `Content-Type: application/json` (415) and, when a browser sends `Origin`, an
  allowed origin (403) — common/errors.check_post, the same check as the REST channel's (HTML forms outside
  /api/ are protected by their own CSRF tokens instead);
- every `/api/*` request body at most `max_body` bytes (413), by Content-Length or counted while it streams
  in; the body is read here and handed on, so handlers never see more than the limit. A Content-Length that
  is not a number is a 400. Other paths (pages, the login form) are bounded by web/http_limits.BodyLimit.

Errors have the one shape of common/errors.py. The per-sender limit needs the parsed body, so the feedback
handler applies it (web/api.py).
"""

from __future__ import annotations

import json

from common import errors
from common.errors import Problem
from common.ratelimit import RateLimiter


async def send_problem(send, problem: Problem) -> None:
    body = json.dumps(problem.body(), ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if problem.retry_after:
        headers.append((b"retry-after", str(problem.retry_after).encode()))
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ApiGuard:
    def __init__(self, app, allowed_origins, limiter: RateLimiter, max_body: int) -> None:
        self.app = app
        self.allowed = {o.rstrip("/") for o in allowed_origins}
        self.limiter = limiter
        self.max_body = max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await self.check(scope, receive)
        except Problem as problem:
            await send_problem(send, problem)
            return
        await self.app(scope, receive, send)

    async def check(self, scope, receive):
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if not path.startswith("/api/"):  # pages and the login form: web/http_limits.BodyLimit bounds them
            return receive
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        client = scope.get("client") or ("", 0)
        wait = self.limiter.check("ip", client[0] or "")
        if wait:
            raise errors.rate_limited(wait)
        if method == "POST":
            errors.check_post(headers.get("content-type"), headers.get("origin"), self.allowed)
        if (
            method in ("GET", "HEAD", "OPTIONS")
            and "content-length" not in headers
            and "transfer-encoding" not in headers
        ):
            return receive
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise Problem(400, "bad_content_length", "Content-Length must be a number of bytes.")
            if int(declared) > self.max_body:
                raise errors.too_large(self.max_body)
        return await self.read_body(receive)

    async def read_body(self, receive):
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Problem(400, "incomplete_body", "The request body ended early.")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise errors.too_large(self.max_body)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, sent = b"".join(chunks), False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

"""Limits on what one HTTP client can make the web server hold: header size, body size, time to send a request.

- Header size: uvicorn's h11 protocol (chosen explicitly: the httptools parser has no header limit) with
  `h11_max_incomplete_event_size` = WHOHANDLES_WEB_MAX_HEADER_BYTES; a bigger request line + headers is
  answered 400 and the connection closed.
- Slow requests: uvicorn only times out idle keep-alive connections, not a request that arrives a byte at a
  time. `guarded_h11(seconds)` is uvicorn's own H11Protocol with one more timer: a request (headers and
  body) must arrive within WHOHANDLES_WEB_REQUEST_TIMEOUT seconds of its first byte, otherwise 408 and close.
- Body size: `BodyLimit` refuses any body over WHOHANDLES_WEB_MAX_BODY_BYTES with 413, by Content-Length
  before reading and by counting for chunked bodies (through the app's own HTTPException handler).
- No `Server:` header (server_header=False).
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from web.config import Settings

TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 31\r\n\r\nThe request took too long. Bye."
)


class GuardedH11Protocol(H11Protocol):
    """H11Protocol plus a deadline for each request, from its first byte until its body is complete."""

    request_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._timed_cycle: Any = None
        self._arm()  # a connection that never sends a byte is a request that never arrives

    def _arm(self) -> None:
        self._timed_cycle = self.cycle  # the deadline ends once a newer cycle has all its body
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        cycle = self.cycle
        if self._deadline is not None and cycle is not None and cycle is not self._timed_cycle and not cycle.more_body:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Keep-alive: uvicorn's idle timer runs until the next request's first byte re-arms ours, unless part of
        # the next request is already waiting in h11's buffer (sent together with the previous one).
        if (
            self._deadline is None
            and self.cycle is not None
            and self.cycle.response_complete
            and self.conn.trailing_data[0]
            and not self.transport.is_closing()
        ):
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle is self._timed_cycle or not cycle.response_started:
            self.transport.write(TIMEOUT_RESPONSE)
        self.logger.warning("request not complete after %.0f s: closing %s", self.request_timeout, self.client)
        self.transport.close()


def guarded_h11(request_timeout: float) -> type[H11Protocol]:
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"request_timeout": float(request_timeout)})


class BodyLimit:
    """Pure ASGI middleware: request bodies over max_bytes are refused with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, int(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        too_big = HTTPException(413, f"Request bodies are limited to {self.max_bytes} bytes.")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared.strip().isdigit() and int(declared) > self.max_bytes:
                raise too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise too_big
            return message

        await self.app(scope, limited_receive, send)


def server_config(app: ASGIApp, settings: Settings, **extra) -> uvicorn.Config:
    """uvicorn's settings for the web server (main() and the limit tests use the same)."""
    options: dict[str, Any] = dict(
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=True,
        http=guarded_h11(settings.request_timeout),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        server_header=False,
        timeout_keep_alive=5,
        ws="none",
        lifespan="on",
    )
    options.update(extra)
    return uvicorn.Config(app, **options)

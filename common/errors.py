"""The one error shape of both HTTP APIs (the REST channel on :5005 and the web API on :8080).

Every 4xx/5xx body is a JSON object

    {"error": "<code>", "message": "<text for a person>"}

`error` is a stable machine-readable code (snake_case, e.g. "invalid_json", "body_too_large",
"rate_limited"); `message` says in plain words what to change. Rate-limited and refused-origin answers carry
the message in English and Chinese. Both servers build their bodies with `error_body()` — nowhere else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus


@dataclass(frozen=True)
class Problem(Exception):
    """A client error as data: the HTTP status, the code and the message (raise it or return it)."""

    status: int
    code: str
    message: str
    retry_after: int | None = None  # seconds, sent as the Retry-After header (429)

    def body(self) -> dict:
        return error_body(self.code, self.message)


def error_body(code: str, message: str) -> dict:
    """The JSON body of every error answer."""
    return {"error": code, "message": message}


def status_code_name(status: int) -> str:
    """A code for an error a framework raised (404 -> "not_found", 405 -> "method_not_allowed")."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


def too_large(limit: int) -> Problem:
    return Problem(413, "body_too_large", f"The request body must be at most {limit} bytes.")


def unsupported_media_type() -> Problem:
    return Problem(415, "unsupported_media_type", "Send the request body as JSON with Content-Type: application/json.")


def forbidden_origin(origin: str) -> Problem:
    return Problem(
        403, "origin_not_allowed", f"Requests from {origin[:100]} are not accepted. · 不接受来自该网站的请求。"
    )


def rate_limited(retry_after: int) -> Problem:
    return Problem(
        429,
        "rate_limited",
        f"Too many requests, sorry — please wait {retry_after} s and try again. · "
        f"请求过于频繁，请 {retry_after} 秒后再试。",
        retry_after,
    )


def bad_json(example: str) -> Problem:
    return Problem(400, "invalid_json", f"The request body must be JSON like {example}.")


def check_post(content_type: str | None, origin: str | None, allowed: "set[str] | list[str] | tuple[str, ...]") -> None:
    """What every POST endpoint checks before reading the body (raises Problem):

    - the body is declared JSON (`Content-Type: application/json`, parameters such as charset allowed) — 415
      otherwise; a cross-site page can send text/plain or a form without a CORS preflight, never JSON;
    - a browser's `Origin`, when the header is present, is one of the allowed origins — 403 otherwise
      (`null`, from sandboxed frames and files, is never allowed). Clients that are not browsers send none.
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise unsupported_media_type()
    if origin is not None and origin.rstrip("/") not in allowed:
        raise forbidden_origin(origin)


def parse_json(body: bytes, example: str) -> object:
    """The decoded JSON of a request body, or Problem 400 (undecodable bytes, bad JSON, nesting too deep)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_json(example) from None

"""Hardened REST input channel, registered in credentials.yml at the stock URL `/webhooks/rest/webhook`.

Why it exists — stock `RestInput` is too trusting for a public widget and third-party integrators:
- a missing or empty `sender` lands every such user in one shared "default" conversation (a privacy bug):
  here it is a 400 with a JSON error, as are a body that is not a JSON object (or not UTF-8, or nested too
  deep) and a non-string message; every error has the one shape of common/errors.py,
  {"error": code, "message": text};
- only `Content-Type: application/json` is accepted (415), and a browser's `Origin` must be one of
  $WHOHANDLES_CORS (403), so a page on another site cannot write into a conversation with a "simple" POST;
- per-client rate limits (common/ratelimit.py: per IP address before parsing, per sender after) answer
  429 with Retry-After and a bilingual message; bodies over `MAX_BODY_BYTES` get 413, however they are sent;
- a 20,000-character message blocks stock Rasa for seconds in tokenisation and featurisation: anything over
  `max_message_chars` gets a polite reply in the user's language and never reaches NLU;
- an empty or whitespace-only message gets a polite prompt; control characters, lone surrogates (from JSON
  escapes) and U+FFFD are stripped before NLU, while a body that is not valid UTF-8 is refused (400
  invalid_json); HTML is left as text (replies are JSON and the bot never echoes user input), and the
  text is normalised as everywhere else (common.normalize: full-width → half-width, traditional → simplified);
- when the action server is down or fails, Rasa logs the error and replies with nothing: the user gets an
  apology with both hotlines instead (Rasa's own /restart, /session_start and /back also reply with nothing:
  they get a short confirmation, not the apology). Rasa would wait up to 300 s for a hung action server;
  bot/patches.py, applied by the server's entry point (bot/serve.py), bounds that wait to `action_timeout`
  seconds (credentials.yml, default 1.5); this channel refuses to load without it.

Hotline numbers come from knowledge/data/departments.yml, never from this file.
"""

from __future__ import annotations

import logging
import unicodedata
from asyncio import CancelledError
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import patches
from common import errors, settings
from common.errors import Problem
from common.language import detect
from common.normalize import normalize
from common.organizations import CATALOGUE, organizations
from common.origins import parse_origins
from common.ratelimit import RateLimiter
from common.replies import Replies
from common.text import DROP_CATEGORIES, clean_text
from common.text import MAX_MESSAGE_CHARS as SHARED_MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = SHARED_MAX_MESSAGE_CHARS  # 2000, the feedback API's question limit too
MAX_SENDER_CHARS = 128
MAX_BODY_BYTES = 256 * 1024
# Rasa's built-in conversation commands: they reply with nothing, which is not an outage.
RESET_COMMANDS = frozenset({"/restart", "/session_start", "/back"})


CORS = "CORS"  # WHOHANDLES_CORS: the origins scripts/serve-rasa passes to Rasa's --cors
EXAMPLE = '{"sender": "user-123", "message": "Who handles pensions?"}'


def BadRequest(code: str, message: str) -> Problem:  # noqa: N802 - reads like the exception it builds
    """A client error: a 400 with {"error": code, "message": text}."""
    return Problem(400, code, message)


def allowed_origins(raw: Optional[str] = None) -> set:
    """Origins from $WHOHANDLES_CORS (space- or comma-separated; default: the web server's, common/settings.py)."""
    raw = (settings.value(CORS) or "") if raw is None else raw
    return set(parse_origins(raw))


def problem_response(problem: Problem) -> HTTPResponse:
    headers = {"Retry-After": str(problem.retry_after)} if problem.retry_after else None
    return response.json(problem.body(), status=problem.status, headers=headers)


class HardenedRestInput(RestInput):
    """RestInput with request validation, length limits and an apology when the bot has nothing to say."""

    def __init__(
        self,
        max_message_chars: int = MAX_MESSAGE_CHARS,
        catalogue: Path = CATALOGUE,
    ) -> None:
        self.max_message_chars = max_message_chars
        self.replies = Replies(organizations(catalogue), max_message_chars)
        self.limiter = RateLimiter()
        self.origins = allowed_origins()
        normalize("預熱")  # OpenCC loads its dictionaries on first use: now, not on a user's first message
        if not patches.applied():
            raise RuntimeError(
                "Start Rasa with `python -m bot.serve run …` (scripts/serve-rasa): it applies "
                "bot/patches.py, which this channel relies on (bounded action wait, no banner)."
            )

    @classmethod
    def name(cls) -> Text:
        return "rest"  # keeps the stock URL /webhooks/rest/webhook

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "HardenedRestInput":
        credentials = credentials or {}  # its action_timeout is read by bot/serve.py, which applies it
        return cls(max_message_chars=int(credentials.get("max_message_chars") or MAX_MESSAGE_CHARS))

    # ---- request validation -------------------------------------------------------------------------------
    def parse_body(self, request: Request) -> Dict[str, Any]:
        """Return {"sender", "text", "metadata"} or raise Problem (common/errors.py)."""
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            raise errors.too_large(MAX_BODY_BYTES)
        data = errors.parse_json(body, EXAMPLE)
        if not isinstance(data, dict):
            raise BadRequest("body_not_object", 'The request body must be a JSON object with "sender" and "message".')
        sender = data.get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise BadRequest(
                "invalid_sender",
                '"sender" must be a non-empty string that identifies the conversation (e.g. a random id per user).',
            )
        sender = sender.strip()
        if len(sender) > MAX_SENDER_CHARS or any(unicodedata.category(ch) in DROP_CATEGORIES for ch in sender):
            raise BadRequest("invalid_sender", f'"sender" must be at most {MAX_SENDER_CHARS} printable characters.')
        message = data.get("message")
        if not isinstance(message, str):
            raise BadRequest("invalid_message", '"message" must be a string.')
        metadata = data.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest("invalid_metadata", '"metadata" must be a JSON object when given.')
        input_channel = data.get("input_channel")
        if not isinstance(input_channel, str) or not input_channel.strip():
            input_channel = self.name()
        return {"sender": sender, "text": message, "metadata": metadata, "input_channel": input_channel}

    # ---- routes -------------------------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("whohandles_rest_webhook", __name__)

        @webhook.listener("before_server_start")
        async def cap_body_size(app: Any, _loop: Any) -> None:
            # Sanic's default is 100 MB. Sanic refuses a larger body itself (by Content-Length, or while a
            # chunked one streams in); its errors get the project's one shape, app-wide (Sanic raises them
            # before any route is known).
            app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
            app.error_handler.add(SanicException, sanic_error)

        def sanic_error(request: Request, exc: SanicException) -> HTTPResponse:
            status = getattr(exc, "status_code", 500) or 500
            if status == 413:
                return problem_response(errors.too_large(MAX_BODY_BYTES))
            if status >= 500:
                logger.error("rest.sanic_error %s", exc)
                return response.json(errors.error_body("internal_error", "Something went wrong on our side."), status)
            return response.json(errors.error_body(errors.status_code_name(status), str(exc) or "Bad request."), status)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent and agent.is_ready())
            return response.json({"status": "ok" if ready else "loading"}, status=200 if ready else 503)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                # remote_addr: the client behind a trusted proxy (SANIC_PROXIES_COUNT, set by make cluster)
                limited = self.limiter.check("ip", request.remote_addr or request.ip or "")
                if limited:
                    raise errors.rate_limited(limited)
                errors.check_post(request.headers.get("content-type"), request.headers.get("origin"), self.origins)
                parsed = self.parse_body(request)
                limited = self.limiter.check("sender", parsed["sender"])
                if limited:
                    raise errors.rate_limited(limited)
            except Problem as problem:
                return problem_response(problem)
            sender = parsed["sender"]
            text = normalize(clean_text(parsed["text"]))  # what NLU, the tracker and the actions all read
            language = detect(text[: self.max_message_chars])
            if len(text) > self.max_message_chars:
                return response.json([{"recipient_id": sender, "text": self.replies.too_long(language)}])
            if not text:
                return response.json([{"recipient_id": sender, "text": self.replies.empty(language)}])

            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender, input_channel=parsed["input_channel"], metadata=parsed["metadata"]
            )
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("rest.message.timeout sender=%s", sender)
            except Exception:  # the user still gets an answer; the traceback goes to the log
                logger.exception("rest.message.failure sender=%s", sender)
            messages: List[Dict[str, Any]] = list(collector.messages)
            command = text.split("{", 1)[0].strip()  # "/restart", or "/restart{...}" with slots
            if not messages and command in RESET_COMMANDS:
                messages = [{"recipient_id": sender, "text": self.replies.reset(command)}]
            elif not messages:
                # Otherwise Rasa replies with nothing only when a custom action failed (down, timeout, error).
                messages = [{"recipient_id": sender, "text": self.replies.apology(language)}]
            return response.json(messages)

        return webhook

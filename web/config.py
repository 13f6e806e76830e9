"""Server settings from the environment (and `python -m web.server` flags), so tests can run it on other ports."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from common.origins import parse_origins


def _rasa_from_port(port: str | None) -> str:
    """scripts/serve-rasa reads WHOHANDLES_RASA_PORT; follow it so one variable moves both."""
    return f"http://127.0.0.1:{int(port)}" if port else Settings.rasa_url


def _flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    # Other sites allowed to post 👍/👎 from an embedded widget (this server's own origin is always allowed).
    widget_origins: tuple[str, ...] = field(default_factory=tuple)
    feedback_db: str | None = None
    # Staff access and hardening (web/auth.py, web/security_headers.py, web/http_limits.py; README "Staff accounts").
    staff_db: str | None = None  # WHOHANDLES_STAFF_DB, default var/staff.db
    session_secret: str | None = (
        None  # WHOHANDLES_SESSION_SECRET, default generated once into session.key beside the staff DB
    )
    session_hours: float = 8.0  # WHOHANDLES_SESSION_HOURS: a staff login lasts this long without use
    https: bool = False  # WHOHANDLES_HTTPS=1 behind an HTTPS proxy: Secure session cookie
    hsts_seconds: int = 0  # WHOHANDLES_HSTS_SECONDS > 0: Strict-Transport-Security max-age (HTTPS only)
    trusted_user_header: str = ""  # WHOHANDLES_TRUSTED_USER_HEADER: staff name set by an authenticating proxy
    max_header_bytes: int = 16_384  # WHOHANDLES_WEB_MAX_HEADER_BYTES: request line + headers
    max_body_bytes: int = 65_536  # WHOHANDLES_WEB_MAX_BODY_BYTES: any request body
    request_timeout: float = 10.0  # WHOHANDLES_WEB_REQUEST_TIMEOUT: seconds to send a whole request
    # Per-client rate limits (common/ratelimit.py): None reads $WHOHANDLES_RATE_LIMITS; "off" disables them.
    rate_limits: str | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def allowed_origins(self) -> list[str]:
        own = {self.origin, f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"}
        return sorted(own | set(self.widget_origins))

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        values: dict[str, Any] = dict(
            host=env.get("WHOHANDLES_WEB_HOST", cls.host),
            port=int(env.get("WHOHANDLES_WEB_PORT", cls.port)),
            rasa_url=(env.get("WHOHANDLES_RASA_URL") or _rasa_from_port(env.get("WHOHANDLES_RASA_PORT"))).rstrip("/"),
            widget_origins=parse_origins(env.get("WHOHANDLES_WIDGET_ORIGINS", "")),
            feedback_db=env.get("WHOHANDLES_FEEDBACK_DB") or None,
            staff_db=env.get("WHOHANDLES_STAFF_DB") or None,
            session_secret=env.get("WHOHANDLES_SESSION_SECRET") or None,
            session_hours=float(env.get("WHOHANDLES_SESSION_HOURS", cls.session_hours)),
            https=_flag(env.get("WHOHANDLES_HTTPS")),
            hsts_seconds=int(env.get("WHOHANDLES_HSTS_SECONDS", cls.hsts_seconds)),
            trusted_user_header=env.get("WHOHANDLES_TRUSTED_USER_HEADER", "").strip(),
            max_header_bytes=int(env.get("WHOHANDLES_WEB_MAX_HEADER_BYTES", cls.max_header_bytes)),
            max_body_bytes=int(env.get("WHOHANDLES_WEB_MAX_BODY_BYTES", cls.max_body_bytes)),
            request_timeout=float(env.get("WHOHANDLES_WEB_REQUEST_TIMEOUT", cls.request_timeout)),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

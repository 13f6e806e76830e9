"""Server settings from the environment (and `python -m web.server` flags), so tests can run it on other ports.

The defaults are common/settings.py's: `from_env` reads the environment through it, and the fields' own defaults
(for tests that build a Settings directly) are its defaults, whatever the environment says."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from common import settings as setting
from common.origins import parse_origins


@dataclass(frozen=True)
class Settings:
    host: str = str(setting.value("WEB_HOST", {}))
    port: int = setting.integer("WEB_PORT", {})
    rasa_url: str = str(setting.value("RASA_URL", {}))
    # Other sites allowed to post 👍/👎 from an embedded widget (this server's own origin is always allowed).
    widget_origins: tuple[str, ...] = field(default_factory=tuple)
    feedback_db: str | None = None
    # Staff access and hardening (web/auth.py, web/security_headers.py, web/http_limits.py; README "Staff accounts").
    staff_db: str | None = None  # WHOHANDLES_STAFF_DB, default var/staff.db
    session_secret: str | None = (
        None  # WHOHANDLES_SESSION_SECRET, default generated once into session.key beside the staff DB
    )
    session_hours: float = setting.number(
        "SESSION_HOURS", {}
    )  # WHOHANDLES_SESSION_HOURS: a staff login lasts this long without use
    https: bool = setting.flag("HTTPS", {})  # WHOHANDLES_HTTPS=1 behind an HTTPS proxy: Secure session cookie
    hsts_seconds: int = setting.integer(
        "HSTS_SECONDS", {}
    )  # WHOHANDLES_HSTS_SECONDS > 0: Strict-Transport-Security max-age (HTTPS only)
    trusted_user_header: str = ""  # WHOHANDLES_TRUSTED_USER_HEADER: staff name set by an authenticating proxy
    max_header_bytes: int = setting.integer(
        "WEB_MAX_HEADER_BYTES", {}
    )  # WHOHANDLES_WEB_MAX_HEADER_BYTES: request line + headers
    max_body_bytes: int = setting.integer("WEB_MAX_BODY_BYTES", {})  # WHOHANDLES_WEB_MAX_BODY_BYTES: any request body
    request_timeout: float = setting.number(
        "WEB_REQUEST_TIMEOUT", {}
    )  # WHOHANDLES_WEB_REQUEST_TIMEOUT: seconds to send a whole request
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
        """From the WHOHANDLES_* variables (common/settings.py); raises SettingError naming a bad one."""
        values: dict[str, Any] = dict(
            host=setting.value("WEB_HOST"),
            port=setting.integer("WEB_PORT"),
            rasa_url=str(setting.value("RASA_URL")).rstrip("/"),  # follows WHOHANDLES_RASA_PORT when unset
            widget_origins=parse_origins(setting.value("WIDGET_ORIGINS") or ""),
            feedback_db=str(setting.path("FEEDBACK_DB")),
            staff_db=str(setting.path("STAFF_DB")),
            session_secret=setting.value("SESSION_SECRET"),
            session_hours=setting.number("SESSION_HOURS"),
            https=setting.flag("HTTPS"),
            hsts_seconds=setting.integer("HSTS_SECONDS"),
            trusted_user_header=(setting.value("TRUSTED_USER_HEADER") or "").strip(),
            max_header_bytes=setting.integer("WEB_MAX_HEADER_BYTES"),
            max_body_bytes=setting.integer("WEB_MAX_BODY_BYTES"),
            request_timeout=setting.number("WEB_REQUEST_TIMEOUT"),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

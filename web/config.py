"""Server settings from the environment (and `python -m web.server` flags), so tests can run it on other ports."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def _rasa_from_port(port: str | None) -> str:
    """scripts/serve-rasa reads WHOHANDLES_RASA_PORT; follow it so one variable moves both."""
    return f"http://127.0.0.1:{int(port)}" if port else Settings.rasa_url


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    # Other sites allowed to post 👍/👎 from an embedded widget (this server's own origin is always allowed).
    widget_origins: tuple[str, ...] = field(default_factory=tuple)
    feedback_db: str | None = None
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
        values = dict(
            host=env.get("WHOHANDLES_WEB_HOST", cls.host),
            port=int(env.get("WHOHANDLES_WEB_PORT", cls.port)),
            rasa_url=(env.get("WHOHANDLES_RASA_URL") or _rasa_from_port(env.get("WHOHANDLES_RASA_PORT"))).rstrip("/"),
            widget_origins=_origins(env.get("WHOHANDLES_WIDGET_ORIGINS", "")),
            feedback_db=env.get("WHOHANDLES_FEEDBACK_DB") or None,
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

"""Lists of allowed web origins in settings (WHOHANDLES_CORS, WHOHANDLES_WIDGET_ORIGINS): one rule for both —
commas, spaces or both separate them; a trailing slash is dropped ("https://a.example/" = "https://a.example")."""

from __future__ import annotations

from typing import Tuple


def parse_origins(raw: str) -> Tuple[str, ...]:
    seen: dict = {}
    for origin in (raw or "").replace(",", " ").split():
        seen.setdefault(origin.rstrip("/"), None)
    return tuple(seen)

"""Which language a message is in: the shared rule (common.language), under the engine's name for it."""

from __future__ import annotations

from common.language import detect as detect_language

__all__ = ["detect_language"]

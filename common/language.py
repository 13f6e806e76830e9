"""Which language a message is in — the one rule for the Rasa server, the engine, the actions, the console
and (restated in JavaScript between `<language-rule>` markers) the widget; tests/unit/test_language_parity.py
runs one set of cases through the Python and the JavaScript rule.

Chinese when Han characters are at least as many as Latin words ("公积金怎么取" → zh, "who handles my 公积金
loan" → en: one Han word in an English sentence). English otherwise, and for text without letters.
"""

from __future__ import annotations

import re
from typing import Literal, Optional

Language = Literal["en", "zh"]

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def detect(text: str) -> Language:
    """'zh' when Han characters are at least as many as Latin words, else 'en' (the default)."""
    text = text or ""
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    return "zh" if han >= len(_LATIN_WORD.findall(text)) else "en"


def detect_or_none(text: str) -> Optional[Language]:
    """Like detect, but None for text with no letters at all ("2", "👍", "?"): the language stays as it was."""
    text = text or ""
    if not _HAN.search(text) and not _LATIN_WORD.search(text):
        return None
    return detect(text)

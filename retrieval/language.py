"""Which language a message is in: Chinese as soon as it is mostly Han characters."""

from __future__ import annotations

import re

from retrieval.types import Language

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> Language:
    """'zh' when Han characters outnumber a third of the letters, else 'en' (the default)."""
    han = len(_HAN.findall(text or ""))
    latin_words = len(re.findall(r"[A-Za-z]+", text or ""))
    if han == 0:
        return "en"
    return "zh" if han >= latin_words or not _LATIN.search(text) else "en"

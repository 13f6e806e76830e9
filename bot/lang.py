"""Language of a message, with no dependencies: used by Rasa's side (NLU component, REST channel).

It restates retrieval.language.detect_language because Rasa's environment (Python 3.10) cannot import the
app packages; tests/unit/test_bot_lang.py checks that the two agree.
"""

from __future__ import annotations

import re
from typing import Optional

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def detect(text: str) -> str:
    """'zh' when Han characters are at least as many as Latin words (or there are no Latin letters), else 'en'."""
    text = text or ""
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    return "zh" if han >= len(_LATIN_WORD.findall(text)) or not _LATIN.search(text) else "en"


def detect_or_none(text: str) -> Optional[str]:
    """Like detect, but None for text with no letters at all ("2", "👍", "?"): the language stays as it was."""
    text = text or ""
    if not _HAN.search(text) and not _LATIN.search(text):
        return None
    return detect(text)

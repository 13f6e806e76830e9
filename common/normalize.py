"""One normalisation of user text for every path: the REST channel before NLU, the retrieval engine, the CLI
and the agent console. Without it, 職稱評定 and 职称评定 are different words to jieba, BM25 and the intent
classifier, and a full-width ＡＢＣ１２３ is not "ABC123".

Steps: Unicode NFKC (full-width letters, digits and punctuation become half-width; compatibility forms
fold), traditional → simplified Chinese with OpenCC's `t2s` dictionary (phrases, not a character table), and
runs of whitespace become one space.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese → simplified (other scripts unchanged)."""
    return _converter().convert(text) if text else text


def normalize(text: str | None) -> str:
    """The text every component reads: NFKC, simplified Chinese, single spaces, trimmed."""
    if not text:
        return ""
    return _SPACE.sub(" ", to_simplified(unicodedata.normalize("NFKC", text))).strip()

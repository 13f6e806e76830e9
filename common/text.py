"""Cleaning user text, with no dependencies: the REST channel before NLU, the feedback API before storing.

Dropped: control characters (Unicode category Cc) except newline and tab, lone surrogates (Cs), private-use
(Co) and unassigned (Cn) code points, and U+FFFD, which is what undecodable bytes become. Kept: everything
printable, including HTML — replies are JSON and the bot never echoes user text, so markup stays inert text.
"""

from __future__ import annotations

import re
import unicodedata

# The longest message or question anyone types to us (the REST channel's limit; feedback refuses longer).
MAX_MESSAGE_CHARS = 2000
DROP_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_KEEP = {"\n", "\t"}
_SPACES = re.compile(r"[ \t]{2,}")


def clean_text(text: str) -> str:
    """Strip control, surrogate and replacement characters; collapse runs of spaces; trim."""
    kept = [ch for ch in text if ch in _KEEP or (unicodedata.category(ch) not in DROP_CATEGORIES and ch != "\ufffd")]
    return _SPACES.sub(" ", "".join(kept).replace("\t", " ")).strip()

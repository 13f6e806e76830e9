"""Words of a query worth highlighting in evidence sentences.

The console highlights on the client (building DOM nodes, never HTML); the server only says which words to look
for, because Chinese needs jieba to split a query into words and the browser has no such segmenter.
"""

from __future__ import annotations

import re

from common.vocabulary import UNHIGHLIGHTED_EN, UNHIGHLIGHTED_ZH

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d{2,}")


# The duty sentences use US spelling; callers' words arrive in either.
_SPELLINGS: dict[str, tuple[str, ...]] = {w: (w, w.replace("our", "or")) for w in ("labour", "favour", "honour")}
_SPELLINGS.update(
    {"centre": ("center",), "organisation": ("organization",), "programme": ("program",), "labor": ("labour",)}
)


def _jieba():
    import jieba  # imported lazily: jieba prints and builds its dictionary on first use

    jieba.setLogLevel(60)
    return jieba


def warm_up() -> None:
    """Load jieba's dictionary now so the first console lookup stays fast."""
    query_terms("预热 公积金")


def query_terms(query: str, limit: int = 24) -> list[str]:
    """Distinct highlightable terms: English words (lowercased, no stop words) and Chinese words (jieba)."""
    terms: list[str] = []
    for word in _LATIN_WORD.findall(query):
        word = word.lower().strip("'-")
        if len(word) >= 3 and word not in UNHIGHLIGHTED_EN:
            terms.append(word)
            terms.extend(v for v in _SPELLINGS.get(word, ()) if v != word)
    runs = _CJK_RUN.findall(query)
    if runs:
        jieba = _jieba()
        for run in runs:
            for word in jieba.cut_for_search(run):
                if len(word) >= 2 and word not in UNHIGHLIGHTED_ZH:
                    terms.append(word)
    unique = list(dict.fromkeys(terms))
    # Longest first so the client prefers "公积金贷款" over "贷款" where both match.
    return sorted(unique, key=len, reverse=True)[:limit]

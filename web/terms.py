"""Words of a query worth highlighting in evidence sentences.

The console highlights on the client (building DOM nodes, never HTML); the server only says which words to look
for, because Chinese needs jieba to split a query into words and the browser has no such segmenter.
"""

from __future__ import annotations

import re

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d{2,}")

EN_STOP = frozenset(
    """a an and are as at be been but by can could did do does for from get got had has have how i if in into is it
    its me my no not of on or our please should so than that the their them then there these they this to was we
    were what when where which who whom why will with would you your yours about after before can't cannot don't
    handle handles handled handling responsible department departments office who's want need help find tell""".split()
)
ZH_STOP = frozenset(
    "我 我的 你 你们 他 她 它 的 了 吗 呢 吧 啊 是 在 有 和 与 及 或 要 想 请问 请 怎么 怎么办 怎样 如何 什么 哪个 哪里 哪 谁 找 找谁 "
    "可以 能 能否 需要 应该 一下 这个 那个 这 那 就 都 也 还 没有 没 不 被 把 给 对 向 去 到 办 办理 负责 部门 处 问题 应该".split()
)


# The duty sentences use US spelling; callers' words arrive in either.
_SPELLINGS = {w: (w, w.replace("our", "or")) for w in ("labour", "favour", "honour")}
_SPELLINGS.update({"centre": ("center",), "organisation": ("organization",), "programme": ("program",),
                   "labor": ("labour",)})


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
        if len(word) >= 3 and word not in EN_STOP:
            terms.append(word)
            terms.extend(v for v in _SPELLINGS.get(word, ()) if v != word)
    runs = _CJK_RUN.findall(query)
    if runs:
        jieba = _jieba()
        for run in runs:
            for word in jieba.cut_for_search(run):
                if len(word) >= 2 and word not in ZH_STOP:
                    terms.append(word)
    seen: set[str] = set()
    unique = [t for t in terms if not (t in seen or seen.add(t))]
    # Longest first so the client prefers "公积金贷款" over "贷款" where both match.
    return sorted(unique, key=len, reverse=True)[:limit]

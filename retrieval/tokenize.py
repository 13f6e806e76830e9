"""Tokens for lexical search: English words (folded, Snowball-stemmed) and jieba words for Chinese."""

from __future__ import annotations

import functools
import logging
import re

import jieba
import snowballstemmer

jieba.setLogLevel(logging.WARNING)

_SEGMENT = re.compile(r"[\u3400-\u9fff]+|[A-Za-z][A-Za-z0-9']*|\d+")  # hyphens split: "HRSS-run" → hrss, run
_SPELLING = {"labour": "labor", "centre": "center", "organisation": "organization", "programme": "program"}
EN_STOPWORDS = frozenset(
    """a an and are as at be been by can do does did for from has have how i if in into is it its me my
    of on or our should so that the their them then there these they this to was we what when where which who
    whom why will with would you your about any also am i'm im want need get got us he she his her
    office department division bureau center responsible handle handles handling deal deals
    please hi hello""".split()
)
ZH_STOPWORDS = frozenset(
    """的 了 是 我 在 和 与 及 或 有 也 就 都 要 会 能 吗 呢 吧 啊 哪 哪个 哪些 什么 怎么 怎么办 谁 找 找谁 管 归
    这 那 个 一 一个 我们 你们 他们 请问 问 想 应该 可以 需要 部门 处 室 办公室 负责 是不是 还是 如何 该 去
    办 办理 给 被 把 对 让 到 上 下 中 等 及其 以及 相关 有关 工作""".split()
)


_STEMMER = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)  # pure-Python Snowball is most of tokenising; words repeat
def _stem(word: str) -> str:
    """US spelling first (labour → labor), then the Snowball English stemmer."""
    return _STEMMER.stemWord(_SPELLING.get(word, word))


def tokens(text: str) -> list[str]:
    """Search tokens for BM25: stopwords dropped, Chinese split by jieba's search mode."""
    out: list[str] = []
    for segment in _SEGMENT.findall(text.lower()):
        if "\u3400" <= segment[0] <= "\u9fff":
            out += [w for w in jieba.cut_for_search(segment) if w not in ZH_STOPWORDS]
        elif segment not in EN_STOPWORDS:
            out.append(_stem(segment))
    return out


_PIECE = re.compile(r"[\u3400-\u9fff]+|[A-Za-z][A-Za-z0-9'-]*|\d+|[^\s\w]")


def without_stopwords(text: str) -> str:
    """The text minus its stopwords, words kept as written: a long question said in fewer tokens."""
    out: list[str] = []
    for piece in _PIECE.findall(text):
        if "\u3400" <= piece[0] <= "\u9fff":
            out.append("".join(w for w in jieba.cut(piece) if w not in ZH_STOPWORDS))
        elif piece[0].isalnum():
            if piece.lower() not in EN_STOPWORDS:
                out.append(" " + piece)
        else:
            out.append(piece)
    return "".join(out).strip().lstrip(",.;:!?，。；：！？、 ")


# A year, date, amount, count or percentage ("2021年", "8000元", "1.2万", "3个月", "30%", "5k"): it says nothing
# about which department handles a question, and an unknown token reads as out of the domain. The hotlines
# (12333, 12329) are kept: they name an organisation.
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(?!123(?:33|29)(?!\d))\d+(?:[.,]\d+)*\s*"
    r"(?:%|％|年度|年|个月|月份|月|日|号|天|周|岁|元|块钱|块|万元|万|千|百|k\b|rmb\b|yuan\b|cny\b|years?\b|months?\b|days?\b)?",
    re.IGNORECASE,
)


def without_numbers(text: str) -> str:
    """The text without years, dates, amounts and counts (see _NUMBER)."""
    return re.sub(r"\s{2,}", " ", _NUMBER.sub(" ", text)).strip()

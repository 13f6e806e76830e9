"""Tokens for lexical search: English words (folded, Snowball-stemmed) and jieba words for Chinese."""

from __future__ import annotations

import functools
import logging
import re

import jieba
import snowballstemmer

from common.vocabulary import STOPWORDS_EN, STOPWORDS_ZH

jieba.setLogLevel(logging.WARNING)

_SEGMENT = re.compile(r"[\u3400-\u9fff]+|[A-Za-z][A-Za-z0-9']*|\d+")  # hyphens split: "HRSS-run" → hrss, run
_SPELLING = {"labour": "labor", "centre": "center", "organisation": "organization", "programme": "program"}


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
            out += [w for w in jieba.cut_for_search(segment) if w not in STOPWORDS_ZH]
        elif segment not in STOPWORDS_EN:
            out.append(_stem(segment))
    return out


_PIECE = re.compile(r"[\u3400-\u9fff]+|[A-Za-z][A-Za-z0-9'-]*|\d+|[^\s\w]")


def without_stopwords(text: str) -> str:
    """The text minus its stopwords, words kept as written: a long question said in fewer tokens."""
    out: list[str] = []
    for piece in _PIECE.findall(text):
        if "\u3400" <= piece[0] <= "\u9fff":
            out.append("".join(w for w in jieba.cut(piece) if w not in STOPWORDS_ZH))
        elif piece[0].isalnum():
            if piece.lower() not in STOPWORDS_EN:
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

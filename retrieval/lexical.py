"""BM25 over one document per department (names, aliases, duties and examples in both languages)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from rank_bm25 import BM25Okapi

from embeddings.corpus import Passage
from retrieval.tokenize import tokens


class LexicalIndex:
    """Department-level BM25: strong on hotline agents' terse keyword queries."""

    def __init__(self, passages: list[Passage], department_ids: list[str]) -> None:
        docs: dict[str, list[str]] = defaultdict(list)
        for p in passages:
            if p.department:  # outside topics belong to no department
                docs[p.department] += tokens(p.text)
        self.department_ids = department_ids
        self._vocabulary = set().union(*docs.values())
        self._bm25 = BM25Okapi([docs[d] for d in department_ids])
        self._unseen_idf = max(self._bm25.idf.values())  # an unknown token weighs like the rarest known one

    def salience(self, query_tokens: list[str]) -> float:
        """How much a text says about which department handles it: the IDF weight of its known tokens."""
        return float(sum(self._bm25.idf[t] for t in query_tokens if t in self._vocabulary))

    def scores(self, query_tokens: list[str]) -> tuple[np.ndarray, float]:
        """BM25 score per department (catalogue order) and the IDF-weighted share of query tokens the corpus knows.
        Takes the query's tokens (retrieval.tokenize.tokens) so the engine tokenises a question once."""
        if not query_tokens:
            return np.zeros(len(self.department_ids)), 0.0
        total = sum(self._bm25.idf.get(t, self._unseen_idf) for t in query_tokens)
        known = self.salience(query_tokens) / (total or 1.0)
        return np.asarray(self._bm25.get_scores(query_tokens)), known

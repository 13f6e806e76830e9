"""An LRU cache of query embeddings in front of the encoder (issue 9: real traffic repeats questions).

Why: encoding the question is ~90 % of the retrieval engine's time, and a city helpdesk hears the same
questions over and over ("公积金怎么提取"). The vector of a given query text never changes for a given
encoder, so a bounded in-process cache returns the same array without re-encoding. Only single-sentence
`encode_query` calls are cached (what the engine does per question); documents pass through.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np


class CachedQueryEncoder:
    """Wraps an Encoder; keeps the last `size` query vectors (read-only arrays)."""

    def __init__(self, encoder: Any, size: int = 4096) -> None:
        self.encoder, self.size = encoder, size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def encode_query(self, sentences: list[str], **kwargs: Any) -> np.ndarray:
        if len(sentences) != 1 or kwargs:
            return self.encoder.encode_query(sentences, **kwargs)
        key = sentences[0]
        with self._lock:
            vector = self._cache.get(key)
            if vector is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return vector[None, :]
        vector = np.asarray(self.encoder.encode_query(sentences)[0])
        vector.setflags(write=False)
        with self._lock:
            self.misses += 1
            self._cache[key] = vector
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector[None, :]

    def __getattr__(self, name: str) -> Any:  # encode_document, token_count, truncate, ...
        return getattr(self.encoder, name)

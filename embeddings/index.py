"""The dense index: FAISS inner-product search over normalised passage embeddings, saved with its metadata.

A manifest records a fingerprint of (passage texts, encoder, corpus format); `build_index` re-encodes only
when that fingerprint changed, so an unchanged knowledge base rebuilds in well under a second.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from common import settings
from embeddings.corpus import Passage, build_passages
from embeddings.encoders import Encoder, encoder_name, load_encoder
from knowledge.loader import KnowledgeBase

# faiss's loader tries its AVX-512 and AVX2 builds first and logs each missing one (with its
# ModuleNotFoundError) at INFO before loading the generic build this wheel ships: noise on every start.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)
import faiss  # noqa: E402 - after the logger's level is set

CORPUS_FORMAT = 1
MANIFEST = "manifest.json"
# Anchored at the project, not the working directory: `whohandles ask` from elsewhere finds the same index.
# Every entry point (CLI, action server, web server) passes settings.path("INDEX_DIR"), which honours WHOHANDLES_INDEX_DIR.
DEFAULT_INDEX_DIR = settings.default_path("INDEX_DIR")


class IndexMissingError(FileNotFoundError):
    """No usable index on disk; the message says which command builds it."""


def fingerprint(encoder_name: str, passages: list[Passage]) -> str:
    """What the vectors depend on: every passage and the encoder (comments or order of YAML keys do not)."""
    digest = hashlib.sha256(f"{CORPUS_FORMAT}|{encoder_name}".encode())
    for p in passages:
        digest.update(f"{p.department}|{p.kind}|{p.lang}|{p.duty}|{p.text}\n".encode())
    return digest.hexdigest()[:16]


@dataclass
class DenseIndex:
    """Passages plus their FAISS index: build once, query many."""

    passages: list[Passage]
    index: faiss.Index
    encoder_name: str
    fingerprint: str

    def search(self, query_vector: np.ndarray, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarities and passage positions, best first (all passages when k is None)."""
        k = min(k or len(self.passages), len(self.passages))
        scores, ids = self.index.search(np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32), k)
        return scores[0], ids[0]

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity to every passage, in passage order. The engine needs all of them (each department
        takes its best), so this reads the flat index's vectors in place instead of asking FAISS for a top-k
        of all passages, which sorts them (1.4 ms against 0.1 ms for 5,600 passages)."""
        if isinstance(self.index, faiss.IndexFlat):
            stored = faiss.rev_swig_ptr(self.index.get_xb(), self.index.ntotal * self.index.d)
            return stored.reshape(self.index.ntotal, self.index.d) @ query_vector.astype(np.float32)
        found, ids = self.search(query_vector)
        ordered = np.empty(len(ids), dtype=np.float32)
        ordered[ids] = found
        return ordered

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(directory / "passages.faiss"))
        (directory / "passages.json").write_text(
            json.dumps([p.to_dict() for p in self.passages], ensure_ascii=False), encoding="utf-8"
        )
        manifest = {
            "fingerprint": self.fingerprint,
            "encoder": self.encoder_name,
            "passages": len(self.passages),
            "dim": self.index.d,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "DenseIndex":
        manifest_path = directory / MANIFEST
        if not manifest_path.exists():
            raise IndexMissingError(f"No index at {directory}. Build it with: whohandles index (or: make index)")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            rows = json.loads((directory / "passages.json").read_text(encoding="utf-8"))
            index = faiss.read_index(str(directory / "passages.faiss"))
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexMissingError(
                f"Index at {directory} is unreadable ({exc}). Rebuild it: whohandles index"
            ) from exc
        return cls([Passage(**r) for r in rows], index, manifest["encoder"], manifest["fingerprint"])


def read_fingerprint(directory: Path) -> str | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None


def encode_passages(
    encoder: Encoder, passages: list[Passage], batch_size: int = 64, progress: bool = True
) -> np.ndarray:
    texts = [p.text for p in passages]
    chunks = []
    for start in tqdm(range(0, len(texts), batch_size), desc="encoding passages", unit="batch", disable=not progress):
        chunks.append(encoder.encode_document(texts[start : start + batch_size]))
    return np.vstack(chunks).astype(np.float32)


def build_index(
    encoder: Encoder,
    encoder_name: str,
    passages: list[Passage],
    directory: Path = DEFAULT_INDEX_DIR,
    progress: bool = True,
) -> tuple[DenseIndex, bool]:
    """Return the index for these passages and whether it had to be (re)encoded."""
    wanted = fingerprint(encoder_name, passages)
    if read_fingerprint(directory) == wanted:
        return DenseIndex.load(directory), False
    vectors = encode_passages(encoder, passages, progress=progress)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    dense = DenseIndex(passages, index, encoder_name, wanted)
    dense.save(directory)
    return dense, True


def index_knowledge(
    knowledge: KnowledgeBase, encoder: str | None = None, directory: Path = DEFAULT_INDEX_DIR, progress: bool = True
) -> tuple[DenseIndex, bool]:
    """Build (or reuse) the index of a knowledge base; the encoder is only run when the fingerprint changed."""
    name = encoder_name(encoder)
    return build_index(load_encoder(name), name, build_passages(knowledge), directory, progress)

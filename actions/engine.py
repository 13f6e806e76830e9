"""The retrieval engine, loaded once per action-server process.

Why lazy + locked: loading reads the knowledge base, the encoder and the FAISS index (a few seconds); the
action server and the unit tests share `get_engine()`, and a lock makes sure two first requests on two
threads never load it twice. actions/__init__.py calls it at import so the server is only reported ready
(GET /health) once the engine is loaded and the first user does not wait.
"""

from __future__ import annotations

import os
import threading

from common import settings
from retrieval import Engine

_lock = threading.Lock()
_engine: Engine | None = None


def _one_thread() -> None:
    """Rasa and the action server share 2 cores: keep BLAS (and torch, which reads OMP_NUM_THREADS when it is
    first imported — only for a sentence-transformers encoder) to one thread each. (The e5 encoder takes every
    core for the few milliseconds a question is encoded: Rasa is waiting on the action meanwhile;
    WHOHANDLES_ENCODER_THREADS overrides it.) torch itself is not imported here: the default encoder never
    needs it, and importing it cost the action server ~300 MB and 3-4 s at start."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def get_engine() -> Engine:
    """The process-wide Engine; raises retrieval.IndexMissingError ("run `whohandles index`") if absent."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _one_thread()
                engine = Engine.load(settings.path("INDEX_DIR"))
                # Repeated questions skip the encoder (embeddings/query_cache.py; 0 disables).
                size = settings.integer("QUERY_CACHE")
                if size > 0:
                    from embeddings.query_cache import CachedQueryEncoder

                    engine.encoder = CachedQueryEncoder(engine.encoder, size)
                # The first question in each language pays for lazy set-up (the encoder's first run, jieba's
                # dictionary, OpenCC): ~0.9 s here, near the 1.5 s Rasa waits. Pay it now, before /health.
                engine.ask("warm up: who handles provident fund loans?")
                engine.ask("预热：公积金提取找哪个部门")
                _engine = engine
    return _engine

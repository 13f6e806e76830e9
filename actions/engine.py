"""The retrieval engine, loaded once per action-server process.

Why lazy + locked: loading reads the knowledge base, the encoder and the FAISS index (a few seconds); the
action server and the unit tests share `get_engine()`, and a lock makes sure two first requests on two
threads never load it twice. actions/__init__.py calls it at import so the server is only reported ready
(GET /health) once the engine is loaded and the first user does not wait.
"""

from __future__ import annotations

import threading

from common import settings
from retrieval import Engine

_lock = threading.Lock()
_engine: Engine | None = None


def get_engine() -> Engine:
    """The process-wide Engine; raises retrieval.IndexMissingError ("run `whohandles index`") if absent."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                # Rasa and the action server share 2 cores: one BLAS (and torch, for a sentence-transformers
                # encoder) thread each; e5 takes every core for the few ms of a question (WHOHANDLES_ENCODER_THREADS
                # overrides it). torch is not imported here: e5 never needs it (it cost ~300 MB and 3-4 s at start).
                settings.apply_process_env()
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

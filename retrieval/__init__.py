"""Which department handles a question: the engine the actions, CLI and web console call."""

from common.language import detect as detect_language
from embeddings.index import IndexMissingError
from retrieval.engine import Engine
from retrieval.tuning import Tuning, TuningError
from retrieval.types import Answer, Evidence, RankedDepartment

__all__ = [
    "Answer",
    "Engine",
    "Evidence",
    "IndexMissingError",
    "RankedDepartment",
    "Tuning",
    "TuningError",
    "detect_language",
]

"""Which department handles a question: the engine the actions, CLI and web console call."""

from embeddings.index import IndexMissingError
from retrieval.engine import Engine, Tuning
from retrieval.language import detect_language
from retrieval.types import Answer, Evidence, RankedDepartment

__all__ = ["Answer", "Engine", "Evidence", "IndexMissingError", "RankedDepartment", "Tuning", "detect_language"]

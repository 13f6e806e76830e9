"""knowledge → passages → dense vectors in a FAISS index saved under var/index."""

from embeddings.corpus import Passage, build_passages
from embeddings.encoders import Encoder, encoder_name, load_encoder
from embeddings.index import DenseIndex, IndexMissingError, build_index, index_knowledge

__all__ = [
    "DenseIndex",
    "Encoder",
    "IndexMissingError",
    "Passage",
    "build_index",
    "build_passages",
    "encoder_name",
    "index_knowledge",
    "load_encoder",
]

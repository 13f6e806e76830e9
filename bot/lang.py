"""Language of a message on Rasa's side (NLU component, REST channel): the shared rule in common.language."""

from common.language import detect, detect_or_none

__all__ = ["detect", "detect_or_none"]

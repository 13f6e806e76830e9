"""Cleaning user text before NLU: the rule lives in common/text.py (the feedback API applies the same one)."""

from common.text import DROP_CATEGORIES, MAX_MESSAGE_CHARS, clean_text

__all__ = ["DROP_CATEGORIES", "MAX_MESSAGE_CHARS", "clean_text"]

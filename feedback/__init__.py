"""Citizen feedback (👍/👎) and unanswered questions, kept in SQLite so the knowledge base can grow from real gaps."""

from feedback.store import FeedbackStore

__all__ = ["FeedbackStore"]

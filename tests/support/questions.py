"""Questions written for the tests (never taken from an evaluation set), and how to pick one by verdict.

Whether a question is a close call depends on the knowledge base and the engine's tuning, so tests that need a
clarifying question pick the first of these lists that the engine currently finds ambiguous.
"""

from __future__ import annotations

import pytest

CLARIFY_EN = [
    "who handles pension?",
    "Who handles pensions?",
    "Who handles my provident fund account?",
    "Who handles social security?",
    "Who handles insurance?",
]
CLARIFY_ZH = ["养老保险归谁管", "医保", "保险归谁管", "单位不给我交公积金找谁"]


def first_with_verdict(engine, questions: list[str], verdict: str) -> str:
    for question in questions:
        if engine.ask(question).verdict == verdict:
            return question
    pytest.fail(f"none of {questions} gets verdict {verdict!r} from the engine any more: update the list")

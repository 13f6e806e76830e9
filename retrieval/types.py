"""What the retrieval engine returns: plain, JSON-ready data for actions, CLI and web."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Language = Literal["en", "zh"]
MAX_OPTIONS = 3  # a clarification offers at most this many departments
OPTION_SHARE = 0.3  # ... and a third (or, beside an answer, a second or third) only at this share of the first's score
Verdict = Literal["answer", "clarify", "no_answer", "other_city"]


@dataclass(frozen=True)
class Evidence:
    """A duty sentence that justifies a department, in both languages; `duty` is its 1-based number in the
    department's knowledge file (what labelled evidence sets refer to)."""

    en: str
    zh: str
    score: float
    duty: int = 0

    def text(self, language: str) -> str:
        """The sentence in the answer's language."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class RankedDepartment:
    """One department in a ranking. `score` is the calibrated confidence in [0, 1]."""

    id: str
    org: str
    name: str
    zh: str
    org_name: str
    org_zh: str
    hotline: str
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Answer:
    """The engine's answer to one question.

    verdict: "answer" when the top department is clear, "clarify" when the top two are close,
    "no_answer" when the question is not about what the two organisations do, "other_city" when it is about
    another city (`place` names it; no departments).
    """

    query: str
    language: Language
    verdict: Verdict
    confidence: float
    margin: float
    departments: tuple[RankedDepartment, ...] = field(default_factory=tuple)
    place: str | None = None

    @property
    def top(self) -> RankedDepartment | None:
        return self.departments[0] if self.departments else None

    @property
    def offered(self) -> tuple[RankedDepartment, ...]:
        """What the user is given: the department of an answer (then any other department that still scores
        OPTION_SHARE of it, shown as "also possible"), the 2-3 choices of a clarification, else nothing. The
        actions send these; evaluation scores these, in order."""
        if self.verdict not in ("answer", "clarify") or not self.departments:
            return ()
        sure = 1 if self.verdict == "answer" else 2
        top = self.departments[0].score
        extra = [d for d in self.departments[sure:MAX_OPTIONS] if top and d.score >= OPTION_SHARE * top]
        return (*self.departments[:sure], *extra)

    def to_dict(self) -> dict:
        return asdict(self)

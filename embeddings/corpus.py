"""Turn the knowledge base into passages: the units that are embedded and searched."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from knowledge.loader import Department, KnowledgeBase

Kind = Literal["name", "alias", "duty", "service", "example", "outside"]


@dataclass(frozen=True)
class Passage:
    """One searchable text. `duty` is the 0-based index of the duty it states or (a service) falls under, else -1.
    An "outside" passage (a neighbouring service none of ours handles) has no department: ""."""

    department: str
    kind: Kind
    lang: str
    text: str
    duty: int = -1

    def to_dict(self) -> dict:
        return asdict(self)


def department_passages(dept: Department) -> list[Passage]:
    rows = [
        Passage(dept.id, "name", "en", dept.name),
        Passage(dept.id, "name", "zh", dept.zh),
    ]
    rows += [Passage(dept.id, "alias", "en", a) for a in dept.aliases_en]
    rows += [Passage(dept.id, "alias", "zh", a) for a in dept.aliases_zh]
    for i, duty in enumerate(dept.duties):
        rows += [Passage(dept.id, "duty", "en", duty.en, i), Passage(dept.id, "duty", "zh", duty.zh, i)]
    for service in dept.services:
        rows += [Passage(dept.id, "service", "en", term, service.duty - 1) for term in service.en]
        rows += [Passage(dept.id, "service", "zh", term, service.duty - 1) for term in service.zh]
    rows += [Passage(dept.id, "example", "en", e) for e in dept.examples_en]
    rows += [Passage(dept.id, "example", "zh", e) for e in dept.examples_zh]
    return rows


def build_passages(kb: KnowledgeBase) -> list[Passage]:
    """Every passage of every department, then the outside topics (contrast for the domain decision), in a
    stable order."""
    rows = [p for d in kb.departments for p in department_passages(d)]
    return rows + [Passage("", "outside", lang, text) for lang, text in kb.outside]

"""Parse the two seed documents into department sections and single duties.

The seeds are scraped web pages: a heading line per department, then one paragraph of
duties. The HR & Social Security seed separates duties with semicolons; the Provident
Fund seed numbers them ("1. ...; 2. ..."), with sub-duties joined by "; responsible for".
This module is the only place that knows those quirks. It is used to draft the curated
knowledge files and by the test that proves no seed duty was lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Lines that are scraping noise, not department headings.
NOISE_LINES = (
    "Joke Collection Website",
    "Internal organizations of Shanghai Provident Fund Management Center",
    "Shanghai Municipal Bureau of Labor and Social Security has internal organs",
    "office for letters and visits",
)

# Boilerplate duties that carry no information about what a department handles.
DROPPED_DUTY_PATTERNS = (re.compile(r"^to undertake other tasks assigned by the leaders\.?$", re.I),)

_NUMBERING = re.compile(r"(?:(?<=^)|(?<=[\s.;,)]))(\d{1,2})\s*[.,、]\s*(?=[A-Z])")
_SENTENCE_BREAK = re.compile(r"(?<=[a-z)”\"])\.\s+(?=[A-Z])")


@dataclass(frozen=True)
class SeedSection:
    """One department as the seed writes it: its heading and its duty paragraph."""

    heading: str
    body: str


def read_sections(path: Path) -> list[SeedSection]:
    """Split a seed file into (heading, body) sections, skipping noise lines."""
    paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    paragraphs = [p for p in paragraphs if not any(p.startswith(n) for n in NOISE_LINES)]
    sections: list[SeedSection] = []
    heading: str | None = None
    for paragraph in paragraphs:
        if _is_heading(paragraph):
            heading = paragraph
        elif heading is not None:
            sections.append(SeedSection(heading=heading, body=paragraph))
            heading = None
    return sections


def _is_heading(paragraph: str) -> bool:
    """Headings are short and carry no duty sentence."""
    return len(paragraph) < 140 and not re.search(r"responsible|to undertake", paragraph, re.I)


def split_duties(body: str) -> list[str]:
    """Split one department's paragraph into single duties, dropping boilerplate."""
    if _NUMBERING.search(body[:8]):
        chunks = [c for c in _NUMBERING.split(body)[::2] if c.strip()]
        pieces = [p for chunk in chunks for p in re.split(r";\s*(?=responsible for)", chunk, flags=re.I)]
    else:
        pieces = [p for part in body.split(";") for p in _SENTENCE_BREAK.split(part)]
    duties = [_tidy(p) for p in pieces]
    return [d for d in duties if d and not is_dropped(d)]


def is_dropped(duty: str) -> bool:
    return any(p.match(duty) for p in DROPPED_DUTY_PATTERNS)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ;,.")
    return text[:1].upper() + text[1:] if text else text


def normalise(text: str) -> str:
    """Compare texts by their words only (case, spacing, punctuation and numbering ignored)."""
    return " ".join(re.findall(r"[a-z0-9]+", _NUMBERING.sub(" ", text).lower()))

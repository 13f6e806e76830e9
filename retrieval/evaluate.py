"""Measure the engine on a labelled JSONL file (lines of {"question", "lang", "kind", "expected": [ids]}, or of
{"question", "lang", "department", "duties": [1-based duty numbers], "annotations": [[…], […]]} for an evidence
set, whose `duties` are the union of its independent annotators' `annotations`).

Prints per-language and per-kind top-1/top-3/MRR, the share of in-scope questions refused, out-of-scope
accuracy, latency, and the same figures for the fused ranking alone (refusals ignored), BM25-only and
dense-only rankings on the same run; the last line is one JSON object with the headline figures.
On a file with duty labels it also reports evidence precision@1: of the questions whose department is
right, the share whose first duty shown is one of the duties that justify it (by any annotator), and the
same share against each annotator's labels alone.

Scoring follows the product: an answer counts by its department, a clarification by the departments it offers
in order; a question with no expected department (out of scope, another city) is handled when no department
is given. `other_city` questions are also counted for being recognised as such.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from common.normalize import normalize
from common.stats import percentile
from retrieval.engine import Engine

# "fused": the product's answers (refusals and clarifications as given); "ranking": the fused ranking alone,
# refusals ignored; "bm25" and "dense": each signal's ranking alone.
MODES = ("fused", "ranking", "bm25", "dense")


class EvalFileError(ValueError):
    """The evaluation file is missing or malformed; the message names the line."""


@dataclass(frozen=True)
class Case:
    question: str
    expected: tuple[str, ...]
    lang: str
    kind: str
    duties: tuple[int, ...] = ()  # evidence sets: the duties of expected[0] that justify it (1-based)
    annotations: tuple[tuple[int, ...], ...] = ()  # each annotator's own `duties` (their union is `duties`)


def read_cases(path: Path, known_ids: set[str]) -> list[Case]:
    if not path.exists():
        raise EvalFileError(f"{path}: no such file")
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            expected = tuple(row["expected"]) if "expected" in row else (str(row["department"]),)
            duties = tuple(int(d) for d in row.get("duties", ()))
            annotations = tuple(tuple(int(d) for d in labels) for labels in row.get("annotations", ()))
            case = Case(str(row["question"]), expected, row.get("lang", "?"), row.get("kind", "?"), duties, annotations)
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalFileError(
                f"{path}:{number}: expected a JSON object with 'question' and 'expected' "
                f"(or 'department' and 'duties') ({exc})"
            ) from exc
        unknown = set(case.expected) - known_ids
        if unknown:
            raise EvalFileError(f"{path}:{number}: unknown department ids {sorted(unknown)}")
        cases.append(case)
    if not cases:
        raise EvalFileError(f"{path}: no questions")
    return cases


@dataclass
class Tally:
    """Running figures for one slice (a language, a kind, or everything)."""

    ranks: list[int | None] = field(default_factory=list)  # 1-based rank of the first expected id, in-scope only
    evidence: list[bool] = field(default_factory=list)  # right department: is its first duty shown a justifying one?
    oos: list[bool] = field(default_factory=list)  # out-of-scope questions: refused?
    refused_in_scope: int = 0
    other_city: list[bool] = field(default_factory=list)  # other-city questions: recognised as such?

    def add(self, case: Case, ranking: list[str], refused: bool, verdict: str | None = None) -> None:
        if not case.expected:
            self.oos.append(refused)
            if case.kind == "other_city" and verdict is not None:
                self.other_city.append(verdict == "other_city")
            return
        hits = [i + 1 for i, d in enumerate(ranking) if d in case.expected]
        self.ranks.append(None if refused else (hits[0] if hits else None))
        self.refused_in_scope += refused

    def figures(self) -> dict:
        n = len(self.ranks)
        top = lambda k: sum(1 for r in self.ranks if r and r <= k) / n if n else None  # noqa: E731
        return {
            "n": n,
            "top1": _round(top(1)),
            "top3": _round(top(3)),
            "mrr": _round(sum(1 / r for r in self.ranks if r) / n) if n else None,
            "oos_n": len(self.oos),
            "oos_acc": _round(sum(self.oos) / len(self.oos)) if self.oos else None,
            "refused_in_scope": _round(self.refused_in_scope / n) if n else None,
            "other_city_acc": _round(sum(self.other_city) / len(self.other_city)) if self.other_city else None,
            "evidence_n": len(self.evidence),
            "evidence_p1": _round(sum(self.evidence) / len(self.evidence)) if self.evidence else None,
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def evaluate(engine: Engine, cases: list[Case]) -> dict:
    """Run every case through the engine (fused) and the two single-signal baselines."""
    ids = engine.knowledge.ids
    slices: dict[str, dict[str, Tally]] = {m: defaultdict(Tally) for m in MODES}
    latencies = []
    by_annotator: dict[int, list[bool]] = defaultdict(list)
    engine.ask("warm-up 预热")
    for case in cases:
        start = time.perf_counter()
        answer = engine.ask(case.question)  # timed exactly as served: top 3 with evidence
        latencies.append((time.perf_counter() - start) * 1000)
        signals = engine.signals(normalize(case.question))
        judged = engine.judge(signals)
        given = [d.id for d in answer.offered]
        refused = not given
        rankings = {
            "fused": (given, refused, answer.verdict),
            "ranking": ([ids[i] for i in judged.order], False, None),
            "bm25": ([ids[i] for i in np.argsort(-signals.bm25)], False, None),
            "dense": ([ids[i] for i in np.argsort(-judged.dense)], False, None),
        }
        first_duty = first_duty_shown(answer, case)
        if first_duty is not None:
            for n, labels in enumerate(case.annotations):
                by_annotator[n].append(first_duty in labels)
        for mode, (ranking, refused_here, verdict) in rankings.items():
            for key in ("all", f"lang:{case.lang}", f"kind:{case.kind}"):
                slices[mode][key].add(case, ranking, refused_here, verdict)
                if mode == "fused" and first_duty is not None:
                    slices[mode][key].evidence.append(first_duty in case.duties)
    report: dict[str, Any] = {mode: {k: t.figures() for k, t in sorted(s.items())} for mode, s in slices.items()}
    report["evidence_p1_by_annotator"] = [_round(sum(hits) / len(hits)) for _, hits in sorted(by_annotator.items())]
    report["latency_ms"] = {
        "p50": round(statistics.median(latencies), 1),
        "p95": round(percentile(latencies, 0.95), 1),
    }
    return report


def first_duty_shown(answer, case: Case) -> int | None:
    """The duty number of the first evidence line shown for a labelled case whose department was given first
    (None when the case has no duty labels or the department is not the one given)."""
    offered = answer.offered
    if not case.duties or not offered or offered[0].id != case.expected[0] or not offered[0].evidence:
        return None
    return offered[0].evidence[0].duty


def headline(report: dict, n: int) -> dict:
    fused = report["fused"]
    return {
        "n": n,
        "top1": fused["all"]["top1"],
        "top3": fused["all"]["top3"],
        "mrr": fused["all"]["mrr"],
        "oos_acc": fused["all"]["oos_acc"],
        "refused": fused["all"]["refused_in_scope"],
        "other_city_acc": fused["all"]["other_city_acc"],
        "ranking_top1": report["ranking"]["all"]["top1"],
        "dense_top1": report["dense"]["all"]["top1"],
        "p50_ms": report["latency_ms"]["p50"],
        "p95_ms": report["latency_ms"]["p95"],
        "zh_top1": fused.get("lang:zh", {}).get("top1"),
        "en_top1": fused.get("lang:en", {}).get("top1"),
        "evidence_p1": fused["all"]["evidence_p1"],
        "evidence_p1_by_annotator": report.get("evidence_p1_by_annotator", []),
    }


def format_report(report: dict) -> str:
    lines = [f"{'slice':<22}{'mode':<7}{'n':>4}{'top1':>7}{'top3':>7}{'mrr':>7}{'oos_acc':>9}{'refused':>9}"]
    for key in report["fused"]:
        for mode in MODES:
            f = report[mode][key]
            cell = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
            oos = cell(f["oos_acc"]) if mode == "fused" else "-"
            refused = cell(f["refused_in_scope"]) if mode == "fused" else "-"
            lines.append(
                f"{key if mode == 'fused' else '':<22}{mode:<7}{f['n']:>4}{cell(f['top1']):>7}{cell(f['top3']):>7}"
                f"{cell(f['mrr']):>7}{oos:>9}{refused:>9}"
            )
    for key, f in report["fused"].items():
        if f["evidence_p1"] is not None:
            lines.append(
                f"evidence precision@1 {key:<14} {f['evidence_p1']:.3f} (of {f['evidence_n']} right departments)"
            )
    if report.get("evidence_p1_by_annotator"):
        each = ", ".join(f"{p:.3f}" for p in report["evidence_p1_by_annotator"])
        lines.append(f"evidence precision@1 against each annotator's labels alone: {each}")
    lat = report["latency_ms"]
    lines.append(f"latency per query (fused engine): p50 {lat['p50']} ms, p95 {lat['p95']} ms")
    return "\n".join(lines)

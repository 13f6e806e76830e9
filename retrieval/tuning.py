"""The engine's fitted constants, kept as data: `make calibrate` writes retrieval/tuning.json (named weights,
human-readable, committed) and `Engine.load` reads it. Nothing here is fitted on dev or test questions.

Judging a question is a pure function of its Signals and a Tuning (retrieval.engine.Engine.judge).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

TUNING_FILE = Path(__file__).resolve().parent / "tuning.json"

# The in-scope (domain) model's features, by name; see inscope_features().
FEATURES = ("standout", "best_cosine", "known_share", "english", "bm25", "outside_gap", "domain_direction")


class TuningError(ValueError):
    """tuning.json is unreadable or does not fit this engine; the message says how to fix it."""


@dataclass(frozen=True)
class Tuning:
    """Fusion and decision constants (retrieval/calibrate.py fits them on our own questions)."""

    encoder: str = "e5"  # the encoder the weights were fitted with
    lexical_weight: float = 0.08  # weight of the BM25 score relative to the best department's
    evidence_lexical_weight: float = 0.08  # the same, among one department's duties (its evidence lines)
    temperature: float = 0.02  # softmax temperature over fused department scores
    org_weight: float = 0.05  # added to the departments of the one organisation a question names
    # logistic in-scope model: bias + weight per FEATURES name
    inscope_bias: float = 0.0
    inscope_weights: dict[str, float] = field(default_factory=dict)
    # a direction in the encoder's space that separates our domain from the rest (logistic, on query vectors)
    direction_bias: float = 0.0
    direction: tuple[float, ...] = ()
    domain_threshold: float = 0.5  # in-scope probability below this: no answer
    answer_probability: float = 0.0  # top department's probability below this: offer choices
    clarify_margin: float = 0.15  # top-1 minus top-2 probability below this: offer choices

    def domain_score(self, vector: np.ndarray | None) -> float:
        """The query vector's side of the domain direction (0 without a fitted direction)."""
        if vector is None or not self.direction:
            return 0.0
        return float(np.dot(self.direction, vector)) + self.direction_bias

    def inscope(self, features: dict[str, float]) -> float:
        z = self.inscope_bias + sum(self.inscope_weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    # ---- as data --------------------------------------------------------------------------------------
    def save(self, path: Path = TUNING_FILE) -> None:
        data = asdict(self)
        data["direction"] = [round(float(w), 5) for w in self.direction]
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = TUNING_FILE, encoder: str | None = None) -> "Tuning":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            tuning = cls(**{**data, "direction": tuple(data.get("direction", ()))})
        except (OSError, ValueError, TypeError) as exc:
            raise TuningError(f"{path}: cannot read the engine's tuning ({exc}). Refit it: make calibrate") from exc
        unknown = set(tuning.inscope_weights) - set(FEATURES)
        if unknown:
            raise TuningError(f"{path}: unknown in-scope features {sorted(unknown)}. Refit it: make calibrate")
        if encoder is not None and encoder != tuning.encoder:
            raise TuningError(
                f"{path} was fitted for encoder {tuning.encoder!r}, not {encoder!r}. Refit it: "
                f"WHOHANDLES_ENCODER={encoder} make calibrate"
            )
        return tuning


def inscope_features(
    dense: np.ndarray, known: float, english: bool, bm25: np.ndarray, outside: float, domain: float
) -> dict[str, float]:
    """What separates questions a department handles from the rest: one department standing out in dense
    similarity (best minus median cosine), the best cosine itself, the share of known vocabulary, the
    language (the encoder's cosines sit on a different scale for English and Chinese), the best BM25 score
    (how many of the question's rarer words one department's texts share), how much closer the question is
    to a neighbouring service none of ours handles (knowledge/data/outside.yml) than to our best department,
    and the query's side of the fitted domain direction."""
    best = float(dense.max())
    return {
        "standout": best - float(np.median(dense)),
        "best_cosine": best,
        "known_share": float(known),
        "english": float(english),
        "bm25": math.log1p(float(bm25.max())),
        "outside_gap": float(outside) - best,
        "domain_direction": float(domain),
    }

"""Set the engine's `Tuning` on our OWN questions, never on dev/test questions.

Two sets of our own questions:
- the calibration set, knowledge/data/calibration/*.jsonl: questions (and out-of-scope questions) written
  from the seed text by authors who did not write the knowledge files, in the evaluation file format. They
  are never indexed, so the shipped engine answers them exactly as it would answer a user;
- every department's example questions, each asked of an index built without its fold of examples
  (4-fold cross-fitting, so an example cannot find itself), with knowledge/data/out_of_scope.yml.

Prints top-1 for a grid of fusion weights, fits the logistic in-scope model on both sets (5-fold CV shown),
and prints refusal rates per no-answer threshold, marking the highest threshold that refuses at most
REFUSAL_BUDGET of our in-scope questions (calibration questions and examples weighed equally), which
refuses the most out-of-scope questions within that budget. `Tuning` in retrieval/engine.py is set from it by hand.

  python -m retrieval.calibrate [--encoder e5]      (make calibrate)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

import faiss
import numpy as np
import yaml

from embeddings import DenseIndex, build_passages, encoder_name, load_encoder
from embeddings.index import encode_passages
from knowledge.loader import DATA_DIR, load_knowledge
from retrieval.engine import Engine, Signals, Tuning, inscope_features
from retrieval.evaluate import read_cases

FOLDS = 4
# The product may refuse at most 5 % of in-scope questions; keep a margin for questions unlike ours.
REFUSAL_BUDGET = 0.03
CALIBRATION_DIR = DATA_DIR / "calibration"


@dataclass(frozen=True)
class Measured:
    """One question's signals, the engine that produced them, and its expected department (None: out of scope)."""

    signals: Signals
    engine: Engine
    expected: str | None
    source: str  # "calibration" or "examples"


def calibration_questions(engine: Engine) -> list[Measured]:
    """The calibration set and the out-of-scope list, asked of the shipped engine."""
    known = set(engine.knowledge.ids)
    cases = [c for path in sorted(CALIBRATION_DIR.glob("*.jsonl")) for c in read_cases(path, known)]
    measured = [Measured(engine.signals(c.question), engine, (c.expected or (None,))[0], "calibration") for c in cases]
    oos = yaml.safe_load((DATA_DIR / "out_of_scope.yml").read_text(encoding="utf-8"))
    return measured + [Measured(engine.signals(q), engine, None, "calibration") for q in oos["en"] + oos["zh"]]


def cross_fitted_examples(name: str) -> list[Measured]:
    """Every example question, asked of an engine whose index lacks the example's fold."""
    kb = load_knowledge()
    passages = build_passages(kb)
    fold_of = {}
    for dept in kb.departments:
        for examples in (dept.examples_en, dept.examples_zh):
            fold_of.update({text: i % FOLDS for i, text in enumerate(examples)})
    encoder = load_encoder(name)
    vectors = encode_passages(encoder, passages)
    measured = []
    for fold in range(FOLDS):
        keep = [i for i, p in enumerate(passages) if not (p.kind == "example" and fold_of[p.text] == fold)]
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors[keep])
        engine = Engine(kb, DenseIndex([passages[i] for i in keep], index, name, "calibration"), encoder)
        measured += [
            Measured(engine.signals(p.text), engine, p.department, "examples")
            for p in passages
            if p.kind == "example" and fold_of[p.text] == fold
        ]
    return measured


def retune(items: list[Measured], tuning: Tuning) -> None:
    for engine in {id(m.engine): m.engine for m in items}.values():
        engine.tuning = tuning


def top1(items: list[Measured]) -> float:
    ids = items[0].engine.knowledge.ids
    return float(np.mean([ids[m.engine.judge(m.signals).order[0]] == m.expected for m in items if m.expected]))


def fit_inscope(items: list[Measured], tuning: Tuning) -> Tuning:
    """Fit the logistic in-scope model: in-scope questions vs out-of-scope questions."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    retune(items, tuning)
    x = np.array([_features(m) for m in items])
    y = np.array([m.expected is not None for m in items], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    cv = cross_val_score(model, (x - mean) / scale, y, cv=5, scoring="balanced_accuracy")
    model.fit((x - mean) / scale, y)
    raw = model.coef_[0] / scale  # back to unscaled features, so the engine needs no scaler
    weights = tuple(round(float(w), 2) for w in raw)
    bias = round(float(model.intercept_[0] - np.dot(raw, mean)), 2)
    print(f"\nin-scope model: weights {weights} bias {bias}; 5-fold balanced accuracy {cv.mean():.3f}")
    return replace(tuning, inscope_weights=weights, inscope_bias=bias)


def _features(m: Measured) -> np.ndarray:
    judged = m.engine.judge(m.signals)
    return inscope_features(judged.dense, m.signals)


def threshold_table(calibration: list[Measured], examples: list[Measured], tuning: Tuning) -> float:
    """Refusal rates per threshold; returns the highest threshold within the refusal budget.

    In-scope refusals are averaged over our two sources of in-scope questions: the calibration questions
    (their index holds every example, so they are answered more confidently than a stranger's question)
    and the cross-fitted examples (their index lacks a quarter of the examples: less confidently)."""
    retune(calibration + examples, tuning)
    ids = calibration[0].engine.knowledge.ids
    oos = np.array([m.engine.judge(m.signals).confidence for m in calibration if m.expected is None])
    cal = [(m, m.engine.judge(m.signals)) for m in calibration if m.expected is not None]
    cal_conf = np.array([judged.confidence for _, judged in cal])
    cal_en = np.array([m.signals.english for m, _ in cal])
    cal_right = np.array([ids[judged.order[0]] == m.expected for m, judged in cal])
    ex_conf = np.array([m.engine.judge(m.signals).confidence for m in examples])
    refused = lambda t: (np.mean(cal_conf < t) + np.mean(ex_conf < t)) / 2  # noqa: E731
    thresholds = np.round(np.arange(0.01, 0.41, 0.01), 2)
    best = float(max((t for t in thresholds if refused(t) <= REFUSAL_BUDGET), default=thresholds[0]))
    print("\nthreshold  oos_refused  in-scope refused: mean (calibration en / zh, examples)  calibration answered right")
    for t in sorted({0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, best}):
        mark = f"  ← highest refusing ≤ {REFUSAL_BUDGET:.0%} in scope" if t == best else ""
        print(
            f"{t:<10.2f} {np.mean(oos < t):<12.3f} {refused(t):.3f} ({np.mean(cal_conf[cal_en] < t):.3f} / "
            f"{np.mean(cal_conf[~cal_en] < t):.3f}, {np.mean(ex_conf < t):.3f}){'':<21}"
            f"{np.mean(cal_right & (cal_conf >= t)):.3f}{mark}"
        )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default=None)
    args = parser.parse_args()
    name = encoder_name(args.encoder)
    calibration = calibration_questions(Engine.load(encoder=name))
    examples = cross_fitted_examples(name)
    n_in = sum(m.expected is not None for m in calibration)
    print(f"calibration set: {n_in} in scope, {len(calibration) - n_in} out of scope; "
          f"{len(examples)} examples ({FOLDS}-fold); encoder {name}")

    for weight in (0.0, 0.04, 0.06, 0.08, 0.12, 0.2, 1.0):
        retune(calibration + examples, replace(Tuning(), lexical_weight=weight))
        print(f"lexical_weight {weight:<5} top-1 calibration {top1(calibration):.3f}  examples {top1(examples):.3f}")

    for weight in (0.0, 0.01, 0.02, 0.03, 0.05, 0.08):
        retune(calibration + examples, replace(Tuning(), org_weight=weight))
        print(f"org_weight {weight:<5} top-1 calibration {top1(calibration):.3f}  examples {top1(examples):.3f}")

    tuning = fit_inscope(calibration + examples, Tuning())
    best = threshold_table(calibration, examples, tuning)
    print(f"\nTuning(inscope_weights={tuning.inscope_weights}, inscope_bias={tuning.inscope_bias}, "
          f"answer_threshold={best})")


if __name__ == "__main__":
    main()

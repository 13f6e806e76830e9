"""Set the engine's `Tuning` on our OWN questions, never on dev/test questions.

Three sets of our own questions:
- the realistic set's calibration part, knowledge/data/calibration/realistic.jsonl: questions in the shapes
  real users write (search-box fragments with years and amounts, long posts, traditional characters, expat
  and machine-translated English, law-firm FAQs, several questions at once, another city, near-miss out of
  scope) by authors who saw neither the dev file, the knowledge files nor each other's parts. Its test part,
  tests/data/realistic_test.jsonl, is only measured (`make eval-own`); scripts/split-questions made both;
- the older calibration questions, knowledge/data/calibration/{hpf,hrss,out_of_scope}.jsonl: written from
  the seed text by authors who did not write the knowledge files. None of these is ever indexed, so the
  shipped engine answers them exactly as it would answer a user;
- every department's example questions, each asked of an index built without its fold of examples
  (4-fold cross-fitting, so an example cannot find itself), with knowledge/data/out_of_scope.yml.

Prints top-1 for a grid of fusion weights, fits the logistic in-scope (domain) model on all of them (5-fold
CV shown), and prints refusal rates per domain threshold, marking the highest threshold that refuses at most
REFUSAL_BUDGET of the realistic in-scope questions and of the older ones (calibration questions and examples
weighed equally), which refuses the most out-of-scope questions within that budget. Then the answer/clarify
line: the lowest top-department probability at which direct answers are right ANSWER_PRECISION of the time on
the realistic questions (below it the likely departments are offered as choices). Other-city questions are
left out of the fit: the place rule answers them before any model. `Tuning` in retrieval/engine.py is set
from the printed line by hand.

  python -m retrieval.calibrate [--encoder e5]      (make calibrate)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

import faiss
import numpy as np
import yaml

from common.normalize import normalize
from embeddings import DenseIndex, build_passages, encoder_name, load_encoder
from embeddings.index import encode_passages
from knowledge.loader import DATA_DIR, load_knowledge
from retrieval.engine import Engine, Signals, Tuning, inscope_features
from retrieval.evaluate import read_cases

FOLDS = 4
# The product may refuse at most 5 % of in-scope questions; keep a margin for questions unlike ours.
REFUSAL_BUDGET = 0.03
# A direct answer should be right this often; below, offering 2-3 choices serves the user better.
ANSWER_PRECISION = 0.92
CALIBRATION_DIR = DATA_DIR / "calibration"
REALISTIC = "realistic"


@dataclass(frozen=True)
class Measured:
    """One question's signals, the engine that produced them, and the departments that count as right."""

    signals: Signals
    engine: Engine
    expected: tuple[str, ...]  # () for out of scope
    source: str  # "realistic", "calibration" or "examples"

    @property
    def in_scope(self) -> bool:
        return bool(self.expected)


def calibration_questions(engine: Engine) -> list[Measured]:
    """The calibration sets and the out-of-scope list, asked of the shipped engine (other-city questions
    left out: the place rule answers them)."""
    known = set(engine.knowledge.ids)
    measured = []
    for path in sorted(CALIBRATION_DIR.glob("*.jsonl")):
        source = REALISTIC if path.stem == REALISTIC else "calibration"
        for case in read_cases(path, known):
            if case.kind == "other_city":
                continue
            measured.append(Measured(engine.signals(normalize(case.question)), engine, case.expected, source))
    oos = yaml.safe_load((DATA_DIR / "out_of_scope.yml").read_text(encoding="utf-8"))
    return measured + [Measured(engine.signals(q), engine, (), "calibration") for q in oos["en"] + oos["zh"]]


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
            Measured(engine.signals(p.text), engine, (p.department,), "examples")
            for p in passages
            if p.kind == "example" and fold_of[p.text] == fold
        ]
    return measured


def retune(items: list[Measured], tuning: Tuning) -> None:
    for engine in {id(m.engine): m.engine for m in items}.values():
        engine.tuning = tuning


def top1(items: list[Measured], dense: bool = False) -> float:
    """Top-1 of the fused ranking (or of its dense component) over the in-scope items."""
    ids = items[0].engine.knowledge.ids
    hits = []
    for m in items:
        if m.in_scope:
            judged = m.engine.judge(m.signals)
            first = int(np.argmax(judged.dense)) if dense else int(judged.order[0])
            hits.append(ids[first] in m.expected)
    return float(np.mean(hits))


def fit_inscope(items: list[Measured], tuning: Tuning) -> Tuning:
    """Fit the logistic in-scope model: in-scope questions vs out-of-scope questions."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    retune(items, tuning)
    x = np.array([_features(m) for m in items])
    y = np.array([m.in_scope for m in items], dtype=int)
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
    """Refusal rates per domain threshold; returns the highest threshold within the refusal budget.

    The budget holds for the realistic in-scope questions and for the older ones, whose refusals are averaged
    over the calibration questions (their index holds every example, so they are answered more confidently
    than a stranger's question) and the cross-fitted examples (their index lacks a quarter of the examples)."""
    retune(calibration + examples, tuning)

    def inscope(items: list[Measured]) -> np.ndarray:
        return np.array([m.engine.judge(m.signals).inscope for m in items])

    oos_real = inscope([m for m in calibration if not m.in_scope and m.source == REALISTIC])
    oos_old = inscope([m for m in calibration if not m.in_scope and m.source != REALISTIC])
    real = inscope([m for m in calibration if m.in_scope and m.source == REALISTIC])
    old = inscope([m for m in calibration if m.in_scope and m.source != REALISTIC])
    ex = inscope(examples)
    older = lambda t: (np.mean(old < t) + np.mean(ex < t)) / 2  # noqa: E731
    thresholds = np.round(np.arange(0.01, 0.81, 0.01), 2)
    within = [t for t in thresholds if np.mean(real < t) <= REFUSAL_BUDGET and older(t) <= REFUSAL_BUDGET]
    best = float(max(within, default=thresholds[0]))
    print("\nthreshold  out of scope refused: realistic / older   in scope refused: realistic / older")
    for t in sorted({0.05, 0.1, 0.2, 0.3, 0.4, 0.5, best}):
        mark = f"  ← highest refusing ≤ {REFUSAL_BUDGET:.0%} in scope" if t == best else ""
        print(f"{t:<10.2f} {np.mean(oos_real < t):.3f} / {np.mean(oos_old < t):.3f}{'':<24}"
              f"{np.mean(real < t):.3f} / {older(t):.3f}{mark}")
    return best


def answer_line(calibration: list[Measured], tuning: Tuning) -> float:
    """The lowest top-department probability at which direct answers to the realistic in-scope questions are
    right ANSWER_PRECISION of the time (the margin rule stays as it is)."""
    retune(calibration, tuning)
    ids = calibration[0].engine.knowledge.ids
    rows = []
    for m in calibration:
        if m.in_scope and m.source == REALISTIC:
            judged = m.engine.judge(m.signals)
            order = judged.order
            top, margin = float(judged.probs[order[0]]), float(judged.probs[order[0]] - judged.probs[order[1]])
            rows.append((top, margin >= tuning.clarify_margin, ids[order[0]] in m.expected))
    print("\nanswer_probability  answered directly  right when answered")
    best = 1.0
    for t in np.round(np.arange(0.0, 1.0, 0.05), 2):
        answered = [right for top, clear, right in rows if clear and top >= t]
        precision = float(np.mean(answered)) if answered else 1.0
        print(f"{t:<19.2f} {len(answered) / len(rows):<18.3f} {precision:.3f}")
        if precision >= ANSWER_PRECISION:
            best = min(best, float(t))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default=None)
    args = parser.parse_args()
    name = encoder_name(args.encoder)
    calibration = calibration_questions(Engine.load(encoder=name))
    examples = cross_fitted_examples(name)
    realistic = [m for m in calibration if m.source == REALISTIC]
    older = [m for m in calibration if m.source != REALISTIC]
    for label, items in (("realistic", realistic), ("older calibration", older)):
        n_in = sum(m.in_scope for m in items)
        print(f"{label}: {n_in} in scope, {len(items) - n_in} out of scope")
    print(f"{len(examples)} examples ({FOLDS}-fold); encoder {name}")

    def grid(field: str, values: tuple[float, ...]) -> None:
        for value in values:
            retune(calibration + examples, replace(Tuning(), **{field: value}))
            print(f"{field} {value:<5} top-1 realistic {top1(realistic):.3f}  older {top1(older):.3f}  "
                  f"examples {top1(examples):.3f}")

    retune(calibration + examples, Tuning())
    print(f"dense only       top-1 realistic {top1(realistic, dense=True):.3f}  older {top1(older, dense=True):.3f}"
          f"  examples {top1(examples, dense=True):.3f}")
    grid("lexical_weight", (0.0, 0.02, 0.04, 0.06, 0.08, 0.12, 0.2))
    grid("org_weight", (0.0, 0.01, 0.02, 0.03, 0.05, 0.08))

    tuning = fit_inscope(calibration + examples, Tuning())
    best = threshold_table(calibration, examples, tuning)
    answer_probability = answer_line(calibration, tuning)
    print(f"\nTuning(inscope_weights={tuning.inscope_weights}, inscope_bias={tuning.inscope_bias}, "
          f"domain_threshold={best}, answer_probability={answer_probability})")


if __name__ == "__main__":
    main()

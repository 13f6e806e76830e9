"""Fit the engine's Tuning on our OWN questions, never on dev/test questions, and write retrieval/tuning.json.

Three sets of our own questions:
- the realistic set's calibration part, knowledge/data/calibration/realistic.jsonl: questions in the shapes
  real users write (search-box fragments with years and amounts, long posts, traditional characters, expat
  and machine-translated English, law-firm FAQs, several questions at once, another city, near-miss out of
  scope) by authors who saw neither the dev file, the knowledge files nor each other's parts. Its test part,
  tests/data/realistic_test.jsonl, is only measured (`make eval-own`); scripts/split-questions made both;
- the older calibration questions, knowledge/data/calibration/{hpf,hrss,out_of_scope}.jsonl, written from
  the seed text by authors who did not write the knowledge files, with knowledge/data/out_of_scope.yml.
  None of these is ever indexed, so the shipped engine answers them exactly as it would answer a user;
- every department's example questions, each asked of an index built without its fold of examples
  (4-fold cross-fitting, so an example cannot find itself).

Steps, each printed: top-1 for a grid of fusion weights (beside the dense component alone); the domain
direction (a logistic model on query vectors: ours vs neighbouring services, knowledge/data/outside.yml as
further negatives), cross-fitted so each question's score comes from a model that did not see it; the
logistic in-scope model over retrieval.tuning.FEATURES (5-fold CV shown); refusal rates per domain
threshold, choosing, among those that refuse at most REFUSAL_BUDGET of the realistic in-scope questions and of
the older ones (calibration questions and examples weighed equally), the lowest that refuses the most
out-of-scope questions; and the answer/clarify line: the lowest top-department probability at which direct
answers to the realistic questions are right ANSWER_PRECISION of the time (below it the likely departments
are offered as choices). Other-city questions are left out: the place rule answers them before any model.
Last, the evidence lexical weight: the weight of BM25 among a department's duties at which the first duty
shown most often justifies the department, on the realistic calibration questions labelled (by an annotator
who saw only the seeds' duties) with the duties that justify them, knowledge/data/calibration/duties/.

  python -m retrieval.calibrate [--encoder e5] [--dry-run]      (make calibrate)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

import faiss
import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

from common.normalize import normalize
from embeddings import DenseIndex, encoder_name
from knowledge.loader import DATA_DIR
from retrieval.engine import Engine, Signals
from retrieval.evaluate import read_cases
from retrieval.tuning import FEATURES, TUNING_FILE, Tuning

FOLDS = 4
# The product may refuse at most 5 % of in-scope questions; keep a margin for questions unlike ours.
REFUSAL_BUDGET = 0.03
# A direct answer should be right this often (a citizen sent to the wrong office pays for it); below it,
# offering the 2-3 likely departments serves the user better.
ANSWER_PRECISION = 0.99
CALIBRATION_DIR = DATA_DIR / "calibration"
REALISTIC = "realistic"
DUTY_LABELLED = CALIBRATION_DIR / "duties" / "realistic.jsonl"
EVIDENCE_GRID = (0.0, 0.02, 0.04, 0.06, 0.08, 0.12, 0.2)
SEED = 8


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
            if case.kind != "other_city":
                measured.append(Measured(engine.signals(normalize(case.question)), engine, case.expected, source))
    oos = yaml.safe_load((DATA_DIR / "out_of_scope.yml").read_text(encoding="utf-8"))
    return measured + [Measured(engine.signals(normalize(q)), engine, (), "calibration") for q in oos["en"] + oos["zh"]]


def cross_fitted_examples(shipped: Engine) -> list[Measured]:
    """Every example question, asked of an engine whose index lacks the example's fold (the vectors are the
    shipped index's own: nothing is re-encoded)."""
    kb, passages = shipped.knowledge, shipped.dense.passages
    fold_of = {}
    for dept in kb.departments:
        for examples in (dept.examples_en, dept.examples_zh):
            fold_of.update({text: i % FOLDS for i, text in enumerate(examples)})
    vectors = shipped.dense.index.reconstruct_n(0, shipped.dense.index.ntotal)
    measured = []
    for fold in range(FOLDS):
        keep = [i for i, p in enumerate(passages) if not (p.kind == "example" and fold_of[p.text] == fold)]
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors[keep])
        dense = DenseIndex([passages[i] for i in keep], index, shipped.dense.encoder_name, "calibration")
        engine = Engine(kb, dense, shipped.encoder, shipped.tuning)
        measured += [
            Measured(engine.signals(normalize(p.text)), engine, (p.department,), "examples")
            for p in passages
            if p.kind == "example" and fold_of[p.text] == fold
        ]
    return measured


def top1(items: list[Measured], tuning: Tuning, dense: bool = False) -> float:
    """Top-1 of the fused ranking (or of its dense component) over the in-scope items."""
    hits = []
    for m in items:
        if m.in_scope:
            judged = m.engine.judge(m.signals, tuning)
            first = int(np.argmax(judged.dense)) if dense else int(judged.order[0])
            hits.append(m.engine.knowledge.ids[first] in m.expected)
    return float(np.mean(hits))


def _logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> LogisticRegression:
    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000).fit(x, y, sample_weight=weight)


def fit_direction(items: list[Measured], outside: np.ndarray) -> tuple[np.ndarray, tuple[float, ...], float]:
    """The domain direction: logistic regression on query vectors (ours in scope vs out of scope, the outside
    topics as further negatives). Returns each item's cross-fitted score (from a model that never saw it)
    and the direction and bias fitted on everything, which the engine ships."""
    vectors = [m.signals.vector for m in items]
    if any(v is None for v in vectors):  # Engine.signals always encodes; dropping one would misalign x and y
        raise ValueError("every calibration question needs its query vector")
    x = np.vstack([v for v in vectors if v is not None])
    y = np.array([m.in_scope for m in items], dtype=int)
    strata = y * 10 + np.array([m.source == REALISTIC for m in items])
    scores = np.zeros(len(items))
    for train, held in StratifiedKFold(5, shuffle=True, random_state=SEED).split(x, strata):
        model = _logistic(np.vstack([x[train], outside]), np.concatenate([y[train], np.zeros(len(outside))]))
        scores[held] = model.decision_function(x[held])
    model = _logistic(np.vstack([x, outside]), np.concatenate([y, np.zeros(len(outside))]))
    return scores, tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0])


def fit_inscope(items: list[Measured], direction_scores: np.ndarray, tuning: Tuning) -> Tuning:
    """The logistic in-scope model over FEATURES, with each item's cross-fitted domain-direction score."""
    rows = []
    for m, score in zip(items, direction_scores, strict=True):
        features = m.engine.judge(m.signals, tuning).features
        rows.append([score if name == "domain_direction" else features[name] for name in FEATURES])
    x, y = np.array(rows), np.array([m.in_scope for m in items], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    cv = cross_val_score(
        LogisticRegression(class_weight="balanced", max_iter=3000),
        (x - mean) / scale,
        y,
        cv=5,
        scoring="balanced_accuracy",
    )
    model = _logistic((x - mean) / scale, y)
    raw = model.coef_[0] / scale  # back to unscaled features, so the engine needs no scaler
    weights = {name: round(float(w), 3) for name, w in zip(FEATURES, raw, strict=True)}
    bias = round(float(model.intercept_[0] - np.dot(raw, mean)), 3)
    print(f"\nin-scope model: {weights} bias {bias}; 5-fold balanced accuracy {cv.mean():.3f}")
    return replace(tuning, inscope_weights=weights, inscope_bias=bias)


def _inscope(items: list[Measured], scores: dict[int, float], tuning: Tuning) -> np.ndarray:
    """In-scope probabilities with the cross-fitted direction scores (so thresholds are set out of sample)."""
    out = []
    for m in items:
        features = dict(m.engine.judge(m.signals, tuning).features, domain_direction=scores[id(m)])
        out.append(tuning.inscope(features))
    return np.array(out)


def threshold_table(
    calibration: list[Measured], examples: list[Measured], scores: dict[int, float], tuning: Tuning
) -> float:
    """Refusal rates per domain threshold; returns, among the thresholds within the refusal budget, the one
    that refuses the most out-of-scope questions (realistic and older averaged) and, of those, the lowest: a
    higher threshold that refuses no more out-of-scope questions only refuses more of the in-scope ones.

    The budget holds for the realistic in-scope questions and for the older ones, whose refusals are averaged
    over the calibration questions (their index holds every example, so they are answered more confidently
    than a stranger's question) and the cross-fitted examples (their index lacks a quarter of the examples)."""

    def part(in_scope: bool, realistic: bool) -> np.ndarray:
        chosen = [m for m in calibration if m.in_scope == in_scope and (m.source == REALISTIC) == realistic]
        return _inscope(chosen, scores, tuning)

    oos_real, oos_old, real, old = part(False, True), part(False, False), part(True, True), part(True, False)
    ex = _inscope(examples, scores, tuning)
    older = lambda t: (np.mean(old < t) + np.mean(ex < t)) / 2  # noqa: E731
    thresholds = np.round(np.arange(0.01, 0.91, 0.01), 2)
    within = [t for t in thresholds if np.mean(real < t) <= REFUSAL_BUDGET and older(t) <= REFUSAL_BUDGET]
    refused_oos = lambda t: (np.mean(oos_real < t) + np.mean(oos_old < t)) / 2  # noqa: E731
    best = float(min(within, key=lambda t: (-round(refused_oos(t), 6), t), default=thresholds[0]))
    print("\nthreshold  out of scope refused: realistic / older   in scope refused: realistic / older")
    for t in sorted({0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, best}):
        mark = f"  ← most out of scope refused, refusing ≤ {REFUSAL_BUDGET:.0%} in scope" if t == best else ""
        print(
            f"{t:<10.2f} {np.mean(oos_real < t):.3f} / {np.mean(oos_old < t):.3f}{'':<24}"
            f"{np.mean(real < t):.3f} / {older(t):.3f}{mark}"
        )
    return best


def answer_line(calibration: list[Measured], tuning: Tuning) -> float:
    """The lowest top-department probability at which direct answers to the realistic in-scope questions are
    right ANSWER_PRECISION of the time (the margin rule stays as it is)."""
    rows = []
    for m in calibration:
        if m.in_scope and m.source == REALISTIC:
            judged = m.engine.judge(m.signals, tuning)
            first, second = judged.order[:2]
            top, margin = float(judged.probs[first]), float(judged.probs[first] - judged.probs[second])
            rows.append((top, margin >= tuning.clarify_margin, m.engine.knowledge.ids[first] in m.expected))
    print("\nanswer_probability  answered directly  right when answered")
    best = 1.0
    for t in np.round(np.arange(0.95, -0.01, -0.05), 2):
        answered = [right for top, clear, right in rows if clear and top >= t]
        precision = float(np.mean(answered)) if answered else 1.0
        print(f"{t:<19.2f} {len(answered) / len(rows):<18.3f} {precision:.3f}")
        if precision >= ANSWER_PRECISION:
            best = float(t) + 0.0  # no "-0.0" in tuning.json
    return best


def evidence_weight(engine: Engine, tuning: Tuning) -> float:
    """The evidence lexical weight (EVIDENCE_GRID) at which the first duty shown is most often one that
    justifies the department, over the duty-labelled realistic questions whose department the ranking puts
    first; a tie goes to the smaller weight."""
    ids = engine.knowledge.ids
    ranked_right = []
    for case in read_cases(DUTY_LABELLED, set(ids)):
        signals = engine.signals(normalize(case.question))
        if ids[int(engine.judge(signals, tuning).order[0])] == case.expected[0]:
            ranked_right.append((case, signals))
    print(f"\nevidence_lexical_weight  first duty justifies ({len(ranked_right)} questions ranked right)")
    shares = {}
    for weight in EVIDENCE_GRID:
        trial = replace(tuning, evidence_lexical_weight=weight)
        hits = []
        for case, signals in ranked_right:
            scores = engine.duty_scores(case.expected[0], signals, trial)
            hits.append(max(scores, key=lambda d: scores[d]) + 1 in case.duties)
        shares[weight] = float(np.mean(hits))
        print(f"{weight:<24} {shares[weight]:.3f}")
    return max(EVIDENCE_GRID, key=lambda w: (shares[w], -w))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default=None)
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write retrieval/tuning.json")
    args = parser.parse_args()
    name = encoder_name(args.encoder)
    shipped = Engine.load(encoder=name, tuning_file=None)  # fit from the defaults, not from the last fit
    start = shipped.tuning
    calibration = calibration_questions(shipped)
    examples = cross_fitted_examples(shipped)
    realistic = [m for m in calibration if m.source == REALISTIC]
    older = [m for m in calibration if m.source != REALISTIC]
    for label, items in (("realistic", realistic), ("older calibration", older)):
        n_in = sum(m.in_scope for m in items)
        print(f"{label}: {n_in} in scope, {len(items) - n_in} out of scope")
    print(f"{len(examples)} examples ({FOLDS}-fold); encoder {name}")

    sets = (("realistic", realistic), ("older", older), ("examples", examples))
    print("dense only       " + "  ".join(f"{k} {top1(v, start, dense=True):.3f}" for k, v in sets))
    grid = (("lexical_weight", (0.0, 0.04, 0.06, 0.08, 0.12, 0.2)), ("org_weight", (0.0, 0.02, 0.05, 0.08)))
    for field, values in grid:
        for value in values:
            tuning = replace(start, **{field: value})  # type: ignore[arg-type]
            print(f"{field} {value:<5} " + "  ".join(f"{k} {top1(v, tuning):.3f}" for k, v in sets))

    items = calibration + examples
    vectors = shipped.dense.index.reconstruct_n(0, shipped.dense.index.ntotal)
    outside = vectors[[i for i, p in enumerate(shipped.dense.passages) if p.kind == "outside"]]
    cross_fitted, direction, direction_bias = fit_direction(items, outside)
    scores = {id(m): float(s) for m, s in zip(items, cross_fitted, strict=True)}
    tuning = replace(start, direction=direction, direction_bias=direction_bias)
    tuning = fit_inscope(items, cross_fitted, tuning)
    tuning = replace(tuning, domain_threshold=threshold_table(calibration, examples, scores, tuning))
    tuning = replace(tuning, answer_probability=answer_line(calibration, tuning))
    tuning = replace(tuning, evidence_lexical_weight=evidence_weight(shipped, tuning))
    print(
        f"\ndomain_threshold {tuning.domain_threshold}, answer_probability {tuning.answer_probability}, "
        f"evidence_lexical_weight {tuning.evidence_lexical_weight}"
    )
    if args.dry_run:
        return
    tuning.save(TUNING_FILE)
    print(f"wrote {TUNING_FILE}")


if __name__ == "__main__":
    main()

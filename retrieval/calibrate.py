"""Set the engine's `Tuning` on our OWN data, never on dev/test questions.

In-scope questions: every hand-written example question of every department, each asked of an index built
without its fold of examples (4-fold cross-fitting), so the engine cannot simply find itself.
Out-of-scope questions: knowledge/data/out_of_scope.yml.

Prints top-1 for a grid of fusion weights, fits the logistic in-scope model (5-fold CV shown), and prints
refusal rates per no-answer threshold, from which `Tuning` in retrieval/engine.py is set by hand.

  python -m retrieval.calibrate [--encoder e5]
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import faiss
import numpy as np
import yaml

from embeddings import DenseIndex, build_passages, encoder_name, load_encoder
from embeddings.index import encode_passages
from knowledge.loader import DATA_DIR, load_knowledge
from retrieval.engine import Engine, Signals, Tuning, inscope_features

FOLDS = 4


def fold_engines(name: str) -> tuple[list[Engine], list[tuple[str, str | None, int]]]:
    """One engine per fold (its examples removed from the index) and every case with its fold."""
    kb = load_knowledge()
    passages = build_passages(kb)
    fold_of = {}
    for dept in kb.departments:
        for examples in (dept.examples_en, dept.examples_zh):
            fold_of.update({text: i % FOLDS for i, text in enumerate(examples)})
    encoder = load_encoder(name)
    vectors = encode_passages(encoder, passages)
    engines = []
    for fold in range(FOLDS):
        keep = [i for i, p in enumerate(passages) if not (p.kind == "example" and fold_of[p.text] == fold)]
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors[keep])
        engines.append(Engine(kb, DenseIndex([passages[i] for i in keep], index, name, "calibration"), encoder))
    oos = yaml.safe_load((DATA_DIR / "out_of_scope.yml").read_text(encoding="utf-8"))
    cases = [(p.text, p.department, fold_of[p.text]) for p in passages if p.kind == "example"]
    cases += [(q, None, i % FOLDS) for i, q in enumerate(oos["en"] + oos["zh"])]
    return engines, cases


def judge_all(engines: list[Engine], measured: list[tuple[Signals, str | None, int]], tuning: Tuning):
    for engine in engines:
        engine.tuning = tuning
    return [(engines[f].judge(s), d, s) for s, d, f in measured]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default=None)
    args = parser.parse_args()
    name = encoder_name(args.encoder)
    engines, cases = fold_engines(name)
    measured = [(engines[f].signals(q), d, f) for q, d, f in cases]
    ids = engines[0].knowledge.ids
    n_in = sum(d is not None for _, d, _ in cases)
    print(f"{n_in} in-scope examples ({FOLDS}-fold), {len(cases) - n_in} out-of-scope questions, encoder {name}")

    for weight in (0.0, 0.04, 0.06, 0.08, 0.12, 0.2, 1.0):
        judged = judge_all(engines, measured, replace(Tuning(), lexical_weight=weight))
        top1 = np.mean([ids[j.order[0]] == d for j, d, _ in judged if d is not None])
        print(f"lexical_weight {weight:<5} top-1 {top1:.3f}")

    tuning = fit_inscope(judge_all(engines, measured, Tuning()))
    print("\nthreshold  oos_refused  inscope_refused  inscope_answered_correct")
    judged = judge_all(engines, measured, tuning)
    rows = [(d is None, ids[j.order[0]] == d, float(j.probs.max() * j.inscope)) for j, d, _ in judged]
    for threshold in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
        oos_refused = np.mean([c < threshold for is_oos, _, c in rows if is_oos])
        in_refused = np.mean([c < threshold for is_oos, _, c in rows if not is_oos])
        in_correct = np.mean([ok and c >= threshold for is_oos, ok, c in rows if not is_oos])
        print(f"{threshold:<10} {oos_refused:<12.3f} {in_refused:<16.3f} {in_correct:.3f}")


def fit_inscope(judged: list) -> Tuning:
    """Fit the logistic in-scope model on in-scope examples vs out-of-scope questions."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    x = np.array([inscope_features(j.dense, s.known) for j, _, s in judged])
    y = np.array([d is not None for _, d, _ in judged], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    cv = cross_val_score(model, (x - mean) / scale, y, cv=5, scoring="balanced_accuracy")
    model.fit((x - mean) / scale, y)
    raw = model.coef_[0] / scale  # back to unscaled features, so the engine needs no scaler
    weights = tuple(round(float(w), 2) for w in raw)
    bias = round(float(model.intercept_[0] - np.dot(raw, mean)), 2)
    print(f"\nin-scope model: weights {weights} bias {bias}; 5-fold balanced accuracy {cv.mean():.3f}")
    return replace(Tuning(), inscope_weights=weights, inscope_bias=bias)


if __name__ == "__main__":
    main()

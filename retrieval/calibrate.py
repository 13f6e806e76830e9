"""Set the engine's fusion weight and no-answer threshold on our OWN data, never on dev/test questions.

In-scope questions: every hand-written example, each asked of an index built without its fold of examples
(4-fold cross-fitting), so the engine cannot simply find itself. Out-of-scope questions: knowledge/data/out_of_scope.yml.
Prints top-1 per lexical weight, then refusal/acceptance rates per threshold, for choosing `Tuning`.

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
from retrieval.engine import Engine, Tuning


FOLDS = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default=None)
    args = parser.parse_args()
    kb = load_knowledge()
    oos = yaml.safe_load((DATA_DIR / "out_of_scope.yml").read_text(encoding="utf-8"))
    oos_cases = [(q, None) for q in oos["en"] + oos["zh"]]
    passages = build_passages(kb)
    fold_of = {}  # example text -> fold; each example is asked only of an index that lacks it
    for dept in kb.departments:
        for examples in (dept.examples_en, dept.examples_zh):
            fold_of.update({text: i % FOLDS for i, text in enumerate(examples)})
    name = encoder_name(args.encoder)
    encoder = load_encoder(name)
    vectors = encode_passages(encoder, passages)
    engines = []
    for fold in range(FOLDS):
        keep = [i for i, p in enumerate(passages) if not (p.kind == "example" and fold_of[p.text] == fold)]
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors[keep])
        engines.append(Engine(kb, DenseIndex([passages[i] for i in keep], index, name, "calibration"), encoder))
    cases = [(p.text, p.department, fold_of[p.text]) for p in passages if p.kind == "example"]
    oos_cases = [(q, None, i % FOLDS) for i, (q, _) in enumerate(oos_cases)]
    print(f"{len(cases)} in-scope examples ({FOLDS}-fold), {len(oos_cases)} out-of-scope questions, encoder {name}")

    for weight in (0.0, 0.02, 0.04, 0.06, 0.08, 0.12, 0.2, 1.0):
        for engine in engines:
            engine.tuning = replace(Tuning(), lexical_weight=weight)
        top1 = np.mean([engines[f].ask(q).departments[0].id == d for q, d, f in cases])
        print(f"lexical_weight {weight:<5} top-1 {top1:.3f}")

    tuning = fit_inscope(engines, cases, oos_cases)
    rows = []
    for engine in engines:
        engine.tuning = tuning
    for q, d, f in cases + oos_cases:
        answer = engines[f].ask(q)
        correct = d is not None and answer.departments[0].id == d
        rows.append((d is None, correct, answer.confidence, answer.margin))
    print("\nthreshold  oos_refused  inscope_refused  inscope_answered_correct")
    for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        oos_refused = np.mean([c < threshold for is_oos, _, c, _ in rows if is_oos])
        in_refused = np.mean([c < threshold for is_oos, _, c, _ in rows if not is_oos])
        in_correct = np.mean([ok and c >= threshold for is_oos, ok, c, _ in rows if not is_oos])
        print(f"{threshold:<10} {oos_refused:<12.3f} {in_refused:<16.3f} {in_correct:.3f}")


def fit_inscope(engines: list[Engine], cases: list, oos_cases: list) -> Tuning:
    """Fit the logistic in-scope model on held-out examples vs out-of-scope questions (5-fold CV shown)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    x = np.array([engines[f].signals(q).inscope_features() for q, _, f in cases + oos_cases])
    y = np.array([1] * len(cases) + [0] * len(oos_cases))
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

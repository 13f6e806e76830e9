"""Set the engine's fusion weight and no-answer threshold on our OWN data, never on dev/test questions.

In-scope questions: every 4th hand-written example of each department, removed from the index so the
engine cannot simply find itself. Out-of-scope questions: knowledge/data/out_of_scope.yml.
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


def held_out(passage) -> bool:
    return passage.kind == "example" and passage.text in HELD_OUT


HELD_OUT: set[str] = set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default=None)
    args = parser.parse_args()
    kb = load_knowledge()
    cases = []
    for dept in kb.departments:
        for examples in (dept.examples_en, dept.examples_zh):
            for text in examples[::4]:
                HELD_OUT.add(text)
                cases.append((text, dept.id))
    oos = yaml.safe_load((DATA_DIR / "out_of_scope.yml").read_text(encoding="utf-8"))
    oos_cases = [(q, None) for q in oos["en"] + oos["zh"]]
    passages = [p for p in build_passages(kb) if not held_out(p)]
    name = encoder_name(args.encoder)
    encoder = load_encoder(name)
    vectors = encode_passages(encoder, passages)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    engine = Engine(kb, DenseIndex(passages, index, name, "calibration"), encoder)
    print(f"{len(cases)} held-out in-scope examples, {len(oos_cases)} out-of-scope questions, encoder {name}")

    for weight in (0.0, 0.02, 0.04, 0.06, 0.08, 0.12, 0.2, 1.0):
        engine.tuning = replace(Tuning(), lexical_weight=weight)
        top1 = np.mean([engine.ask(q).departments[0].id == d for q, d in cases])
        print(f"lexical_weight {weight:<5} top-1 {top1:.3f}")

    engine.tuning = Tuning()
    rows = []
    for q, d in cases + oos_cases:
        answer = engine.ask(q)
        correct = d is not None and answer.departments[0].id == d
        rows.append((d is None, correct, answer.confidence, answer.margin))
    print("\nthreshold  oos_refused  inscope_refused  inscope_answered_correct")
    for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        oos_refused = np.mean([c < threshold for is_oos, _, c, _ in rows if is_oos])
        in_refused = np.mean([c < threshold for is_oos, _, c, _ in rows if not is_oos])
        in_correct = np.mean([ok and c >= threshold for is_oos, ok, c, _ in rows if not is_oos])
        print(f"{threshold:<10} {oos_refused:<12.3f} {in_refused:<16.3f} {in_correct:.3f}")


if __name__ == "__main__":
    main()

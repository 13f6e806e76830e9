"""`whohandles` — the command line for hotline agents and integrators.

whohandles ask "公积金贷款逾期了找谁"      top 3 departments with evidence (--json for machines)
whohandles index                         build or refresh the FAISS index
whohandles eval FILE.jsonl               accuracy and latency on a labelled file
whohandles staff add NAME --password-stdin   staff accounts for the console (also: staff remove, staff list)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from common import settings
from embeddings.index import IndexMissingError
from knowledge.loader import KnowledgeError

VERDICT_TEXT = {
    "answer": "answer",
    "clarify": "close call — likely departments below; confirm with the caller",
    "no_answer": "not about what these two organisations handle",
    "other_city": "about another city ({place}): this covers Shanghai only; the same hotlines serve that city",
}


def _engine(args: argparse.Namespace):
    from retrieval.engine import Engine

    return Engine.load(Path(args.index_dir), args.encoder)


def cmd_ask(args: argparse.Namespace) -> int:
    question = " ".join(args.question).strip()
    if not question:
        print('error: give a question, e.g. whohandles ask "公积金贷款逾期了找谁"', file=sys.stderr)
        return 2
    engine = _engine(args)
    answer = engine.ask(question, k=args.top)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    verdict = VERDICT_TEXT[answer.verdict].format(place=answer.place)
    print(f"{question}\n→ {verdict} (confidence {answer.confidence:.2f})\n")
    for rank, dept in enumerate(answer.departments, 1):
        print(f"{rank}. {dept.name} / {dept.zh}  [{dept.id}]  score {dept.score:.2f}")
        print(f"   {dept.org_name} / {dept.org_zh} — hotline {dept.hotline}")
        for evidence in dept.evidence:
            text = evidence.zh if answer.language == "zh" else evidence.en
            print(f"   · {text}")
        print()
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from embeddings import index_knowledge
    from knowledge.loader import load_knowledge

    start = time.perf_counter()
    dense, rebuilt = index_knowledge(load_knowledge(), args.encoder, Path(args.index_dir), progress=not args.quiet)
    took = time.perf_counter() - start
    state = "built" if rebuilt else "up to date (knowledge and model unchanged)"
    print(
        f"index {state}: {len(dense.passages)} passages, encoder {dense.encoder_name}, {args.index_dir} ({took:.1f} s)"
    )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from retrieval.evaluate import EvalFileError, evaluate, format_report, headline, read_cases

    engine = _engine(args)
    try:
        cases = read_cases(Path(args.file), set(engine.knowledge.ids))
    except EvalFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = evaluate(engine, cases)
    print(f"{args.file}: {len(cases)} questions, encoder {engine.dense.encoder_name}")
    print(format_report(report))
    print(json.dumps(headline(report, len(cases))))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="whohandles", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index-dir", default=str(settings.path("INDEX_DIR")))
    parser.add_argument(
        "--encoder", default=None, help="e5 (default), use, minilm, or a sentence-transformers name/path"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="which department handles this?")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.add_argument("--top", type=int, default=3, choices=range(1, 39), metavar="N")
    ask.set_defaults(func=cmd_ask)
    index = sub.add_parser("index", help="build the index (skips encoding when nothing changed)")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.set_defaults(func=cmd_index)
    evaluation = sub.add_parser("eval", help="accuracy and latency on a labelled JSONL file")
    evaluation.add_argument("file")
    evaluation.set_defaults(func=cmd_eval)
    from web.staff_cli import add_parser as add_staff_parser  # noqa: PLC0415 — web/staff_cli.py

    add_staff_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except IndexMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except KnowledgeError as exc:
        print(f"error: bad knowledge data: {exc}", file=sys.stderr)
        return 4
    except BrokenPipeError:  # `whohandles ask … | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

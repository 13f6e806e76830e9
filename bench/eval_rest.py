"""Accuracy through the REST channel: `make eval-rest FILE=questions.jsonl`.

The file format of `make eval` (retrieval.evaluate.read_cases): {"question": "...", "expected": ["hpf.loans", ...]}
per line ([] = out of scope; an optional "lang", else detected).
Every question goes to a new sender. The departments given are those of the first payload that lists
departments (department_answer: one; clarify: the 2-3 offered, in order; department_info); a reply with no
such payload gives none. Top-1 / top-3 count a hit when the first / any of the first three is among
`expected`; "refused" is the share of in-scope questions given no department; out-of-scope accuracy counts
replies with no department (other-city questions too, and how many got the `other_city` payload).
Starts its own stack unless --url is given. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench._common import first_departments, payload_type, send, stack_or_url
from common.language import detect as detect_language
from knowledge.loader import load_knowledge
from retrieval.evaluate import Case, EvalFileError, read_cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", help="evaluate a running Rasa server instead of starting one")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    try:
        items = read_cases(args.file, set(load_knowledge().ids))
    except EvalFileError as exc:
        raise SystemExit(str(exc)) from exc

    with stack_or_url(args.url) as (webhook, _stack), httpx.Client(timeout=60) as client:

        def ask(item: Case) -> tuple[list[str], str | None]:
            messages = send(client, webhook, f"eval-{uuid.uuid4().hex}", item.question)
            return first_departments(messages), payload_type(messages)

        with ThreadPoolExecutor(args.workers) as pool:
            answers = list(pool.map(ask, items))

    hits: dict[str, list[int]] = defaultdict(list)
    top3: list[int] = []
    refused: list[int] = []
    oos: list[int] = []
    other_city: list[int] = []
    errors = []
    for item, (got, kind) in zip(items, answers, strict=True):
        language = item.lang if item.lang in ("en", "zh") else detect_language(item.question)
        if item.expected:
            ok = bool(got) and got[0] in item.expected
            hits["all"].append(ok)
            hits[language].append(ok)
            top3.append(any(d in item.expected for d in got[:3]))
            refused.append(not got)
        else:
            ok = not got
            oos.append(ok)
            if item.kind == "other_city":
                other_city.append(kind == "other_city")
        if not ok:
            errors.append({"question": item.question, "expected": list(item.expected), "got": got[:3]})

    def rate(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    summary = {
        "file": str(args.file),
        "questions": len(items),
        "top1": rate(hits["all"]),
        "top1_en": rate(hits["en"]),
        "top1_zh": rate(hits["zh"]),
        "top3": rate(top3),
        "refused": rate(refused),
        "in_scope": len(hits["all"]),
        "out_of_scope": len(oos),
        "oos_no_department": rate(oos),
        "other_city_recognised": rate(other_city),
    }
    print(
        f"top-1 {summary['top1']} top-3 {summary['top3']} refused {summary['refused']} over {summary['in_scope']} "
        f"in-scope questions (en {summary['top1_en']} / zh {summary['top1_zh']}); out of scope answered with no "
        f"department: {summary['oos_no_department']} over {summary['out_of_scope']}"
    )
    if args.show_errors:
        for error in errors:
            print(json.dumps(error, ensure_ascii=False))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

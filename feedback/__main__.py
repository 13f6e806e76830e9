"""`python -m feedback gaps [--limit N] [--json]`: what the knowledge base is missing, for the people who curate it."""

from __future__ import annotations

import argparse
import json
import sys
import time

from feedback.store import FeedbackStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedback")
    sub = parser.add_subparsers(dest="command", required=True)
    gaps = sub.add_parser("gaps", help="questions that got no answer or a thumbs-down")
    gaps.add_argument("--limit", type=int, default=100)
    gaps.add_argument("--json", action="store_true", help="one JSON object per line")
    gaps.add_argument("--all", action="store_true", help="also the gaps staff marked resolved or dismissed")
    gaps.add_argument("--db", default=None, help="SQLite file (default $WHOHANDLES_FEEDBACK_DB or the project's var/feedback.db)")
    args = parser.parse_args(argv)

    items = FeedbackStore(args.db).gaps(limit=args.limit, include_closed=args.all)
    if args.json:
        for item in items:
            print(json.dumps(item, ensure_ascii=False))
        return 0
    if not items:
        print("No gaps recorded yet.")
        return 0
    print(f"{'count':>5}  {'reason':<9}  {'last seen':<16}  {'department':<28}  question")
    for item in items:
        seen = time.strftime("%Y-%m-%d %H:%M", time.localtime(item["last_seen"]))
        print(f"{item['count']:>5}  {item['reason']:<9}  {seen:<16}  {item['department_id'] or '-':<28}  "
              f"{item['question']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

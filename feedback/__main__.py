"""`python -m feedback gaps [--limit N] [--json]`: what the knowledge base is missing, for the people who curate it.

`python -m feedback purge [--days N]`: delete stored questions (feedback DB) and conversations (tracker DB)
older than the retention period ($WHOHANDLES_RETENTION_DAYS, default 180 days); the servers also do it daily.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from common import retention, settings
from feedback.store import FeedbackStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedback")
    sub = parser.add_subparsers(dest="command", required=True)
    gaps = sub.add_parser("gaps", help="questions that got no answer or a thumbs-down")
    gaps.add_argument("--limit", type=int, default=100)
    gaps.add_argument("--json", action="store_true", help="one JSON object per line")
    gaps.add_argument("--all", action="store_true", help="also the gaps staff marked resolved or dismissed")
    gaps.add_argument(
        "--db", default=None, help="SQLite file (default $WHOHANDLES_FEEDBACK_DB or the project's var/feedback.db)"
    )
    purge = sub.add_parser("purge", help="delete stored questions and conversations older than the retention period")
    purge.add_argument(
        "--days", type=float, default=None, help="keep this many days (default $WHOHANDLES_RETENTION_DAYS or 180)"
    )
    purge.add_argument("--db", default=None, help="feedback SQLite file (default as for gaps)")
    purge.add_argument(
        "--tracker-db",
        default=None,
        help="Rasa tracker SQLite file (default $WHOHANDLES_TRACKER_DB or the project's var/tracker.db)",
    )
    args = parser.parse_args(argv)
    if args.command == "purge":
        return _purge(args)

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
        print(
            f"{item['count']:>5}  {item['reason']:<9}  {seen:<16}  {item['department_id'] or '-':<28}  "
            f"{item['question']}"
        )
    return 0


def _purge(args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else retention.retention_days()
    if not days or days <= 0:
        print(f"Retention is off ({retention.ENV}); nothing deleted.")
        return 0
    feedback_db = FeedbackStore(args.db).path
    tracker_db = Path(args.tracker_db) if args.tracker_db else settings.path("TRACKER_DB")
    done = {
        "feedback": retention.purge_feedback(feedback_db, days),
        "tracker": retention.purge_tracker(tracker_db, days),
    }
    print(json.dumps({"days": days, "feedback_db": str(feedback_db), "tracker_db": str(tracker_db), **done}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

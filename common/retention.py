"""Retention: stored questions and conversations older than a setting are deleted. Standard library only.

`WHOHANDLES_RETENTION_DAYS` (default 180; `off` keeps everything). Applied by `python -m feedback purge`
(both files), daily by the web server (feedback DB) and daily by the Rasa tracker store (tracker DB).

- Feedback DB: votes and unanswered questions whose `created_at` is older than the cut-off.
- Tracker DB (Rasa's `events` table): every conversation whose last event is older than the cut-off, whole —
  deleting only the old part of a live conversation would leave Rasa a tracker without its session start.

Deletes run with `PRAGMA secure_delete` and end with a WAL checkpoint, so the removed text is overwritten in
the file and its write-ahead log, not just unlinked.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

from common import settings

log = logging.getLogger("whohandles.retention")
ENV = "WHOHANDLES_RETENTION_DAYS"
DEFAULT_DAYS = int(settings.BY_NAME["RETENTION_DAYS"].default or 180)
DAY_S = 86_400


def retention_days(value: str | None = None) -> float | None:
    """Days to keep, from the setting; None when retention is off."""
    raw = (os.environ.get(ENV, "") if value is None else value).strip().lower()
    if not raw:
        return DEFAULT_DAYS
    if raw in {"off", "none", "never"}:
        return None
    days = float(raw)
    if days <= 0:
        raise ValueError(f"{ENV} must be a positive number of days or 'off', not {raw!r}")
    return days


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA secure_delete = ON")
    return conn


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the WAL into the file and empty it: the WAL still holds the deleted rows' old page images.
    Best effort — while another process reads, SQLite checkpoints what it can and the rest follows later."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        pass


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def purge_feedback(path: str | Path, days: float, now: float | None = None) -> dict[str, int]:
    """Delete votes and unanswered questions older than `days`; {"votes": n, "unanswered": n}."""
    path = Path(path)
    if not path.exists():
        return {"votes": 0, "unanswered": 0}
    cutoff = (now or time.time()) - days * DAY_S
    counts = {}
    with closing(_connect(path)) as conn:
        tables = _tables(conn)
        for table in ("votes", "unanswered"):
            counts[table] = (
                conn.execute(f"DELETE FROM {table} WHERE created_at < ?", (cutoff,)).rowcount
                if (table in tables)
                else 0
            )
        _checkpoint(conn)
    return counts


def purge_tracker(path: str | Path, days: float, now: float | None = None) -> dict[str, int]:
    """Delete whole conversations whose last event is older than `days`; {"conversations": n, "events": n}."""
    path = Path(path)
    if not path.exists():
        return {"conversations": 0, "events": 0}
    cutoff = (now or time.time()) - days * DAY_S
    with closing(_connect(path)) as conn:
        if "events" not in _tables(conn):
            return {"conversations": 0, "events": 0}
        conn.execute("BEGIN IMMEDIATE")
        try:
            old = [
                r[0]
                for r in conn.execute(
                    "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?", (cutoff,)
                )
            ]
            events = 0
            for sender in old:
                events += conn.execute("DELETE FROM events WHERE sender_id = ?", (sender,)).rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        _checkpoint(conn)
    return {"conversations": len(old), "events": events}


def start_daily(purge, name: str, interval_s: float = DAY_S) -> threading.Thread | None:
    """Run `purge()` now and then every `interval_s` in a daemon thread (errors are logged, never raised)."""

    def loop() -> None:
        while True:
            try:
                result = purge()
                if result and any(result.values()):
                    log.info("retention %s: deleted %s", name, result)
            except Exception:  # a locked or damaged file must not stop the server; try again tomorrow
                log.exception("retention %s failed", name)
            time.sleep(interval_s)

    thread = threading.Thread(target=loop, name=f"retention-{name}", daemon=True)
    thread.start()
    return thread

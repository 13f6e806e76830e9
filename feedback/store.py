"""SQLite store for votes and unanswered questions.

Why SQLite: durable, no server, and safe for the two writers we have (the web server records votes, the Rasa
action server records no_answer questions). WAL mode plus a busy timeout lets both processes write without
"database is locked" errors; every call opens its own short connection so threads never share one.

Nothing is stored as typed: every text goes through common/text.py's clean_text (control characters, lone
surrogates and U+FFFD dropped) and common/privacy.py's mask (ID-card, phone and bank-card numbers, e-mail
addresses and names become [ID], [PHONE], [CARD], [EMAIL], [NAME]) before it is written. Rows older than
$WHOHANDLES_RETENTION_DAYS (default 180) are deleted by `python -m feedback purge` and daily by the web server
(common/retention.py).
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from common import settings
from common.privacy import mask
from common.text import clean_text

DEFAULT_PATH = settings.default_path("FEEDBACK_DB")  # the project's var/feedback.db, from any directory
MAX_TEXT = 4000  # longer inputs are truncated, so one abusive request cannot bloat the file
VOTES = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    REAL    NOT NULL,
    sender        TEXT    NOT NULL,
    question      TEXT    NOT NULL,
    answer        TEXT    NOT NULL,
    department_id TEXT    NOT NULL,
    vote          TEXT    NOT NULL CHECK (vote IN ('up', 'down'))
);
CREATE TABLE IF NOT EXISTS unanswered (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL    NOT NULL,
    sender     TEXT    NOT NULL,
    question   TEXT    NOT NULL,
    language   TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS votes_vote ON votes (vote);
CREATE TABLE IF NOT EXISTS gap_status (
    question_key TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('no_answer', 'down')),
    status       TEXT NOT NULL CHECK (status IN ('resolved', 'dismissed')),
    changed_at   REAL NOT NULL,
    changed_by   TEXT NOT NULL,
    PRIMARY KEY (question_key, reason)
);
"""
GAP_REASONS = ("no_answer", "down")
GAP_STATUSES = ("resolved", "dismissed", "open")


def _clean(value: object, name: str, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    value = mask(clean_text(value))[:MAX_TEXT].strip()  # masked before truncating: no half-numbers left
    if required and not value:
        raise ValueError(f"{name} must not be empty")
    return value


class FeedbackStore:
    """Votes on answers and questions that got no answer. Created on first use.

    path: the SQLite file; default $WHOHANDLES_FEEDBACK_DB or the project's var/feedback.db (from any working directory).
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else settings.path("FEEDBACK_DB")
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        if not self._ready:
            self._initialise(conn)
        return conn

    def _initialise(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL and create the tables. Two processes starting together can both try; SQLite answers
        the journal-mode switch with "database is locked" without waiting on the busy timeout, so retry."""
        for attempt in range(50):
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(_SCHEMA)
                self._ready = True
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.05 + 0.01 * attempt)

    def record_vote(self, sender: str, question: str, answer: str, department_id: str, vote: str) -> int:
        """Store one 👍/👎 on an answer; returns the vote's row id."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        row = (
            time.time(),
            _clean(sender, "sender"),
            _clean(question, "question"),
            _clean(answer, "answer", required=False),
            _clean(department_id, "department_id", required=False),
            vote,
        )
        with closing(self._connect()) as conn:
            cur = conn.execute(
                "INSERT INTO votes (created_at, sender, question, answer, department_id, vote)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid or 0)

    def record_unanswered(self, sender: str, question: str, language: str) -> None:
        """Store a question the assistant could not route to any department."""
        row = (time.time(), _clean(sender, "sender"), _clean(question, "question"), _clean(language, "language"))
        with closing(self._connect()) as conn:
            conn.execute("INSERT INTO unanswered (created_at, sender, question, language) VALUES (?, ?, ?, ?)", row)

    def votes(self, limit: int = 100) -> list[dict]:
        """Most recent votes first (for tests and audits)."""
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT * FROM votes ORDER BY id DESC LIMIT ?", (int(limit),)).fetchall()
        return [dict(r) for r in rows]

    def gaps(self, limit: int = 100, include_closed: bool = False) -> list[dict]:
        """Questions that got no answer or a 👎, grouped by question text, most frequent and most recent first.

        Each item: question, reason ('no_answer' | 'down'), count, last_seen (unix time), department_id
        (the department that was wrongly given, '' for no_answer), language ('' when unknown), status ('open',
        'resolved' or 'dismissed'). Resolved and dismissed gaps are left out unless include_closed; a resolved
        gap that is asked again after it was resolved is open again (the fix did not cover it).
        """
        sql = """
            SELECT g.*, CASE WHEN s.status IS NULL OR (s.status = 'resolved' AND g.last_seen > s.changed_at)
                             THEN 'open' ELSE s.status END AS status
            FROM (
                SELECT question, reason, COUNT(*) AS count, MAX(created_at) AS last_seen,
                       MAX(department_id) AS department_id, MAX(language) AS language, lower(question) AS question_key
                FROM (
                    SELECT question, 'no_answer' AS reason, created_at, '' AS department_id, language FROM unanswered
                    UNION ALL
                    SELECT question, 'down' AS reason, created_at, department_id, '' AS language
                    FROM votes WHERE vote = 'down'
                )
                GROUP BY lower(question), reason
            ) AS g
            LEFT JOIN gap_status AS s ON s.question_key = g.question_key AND s.reason = g.reason
            WHERE ? OR s.status IS NULL OR (s.status = 'resolved' AND g.last_seen > s.changed_at)
            ORDER BY g.count DESC, g.last_seen DESC
            LIMIT ?
        """
        with closing(self._connect()) as conn:
            rows = conn.execute(sql, (int(bool(include_closed)), max(0, int(limit)))).fetchall()
        return [{k: r[k] for k in r.keys() if k != "question_key"} for r in rows]

    def set_gap_status(self, question: str, reason: str, status: str, by: str, when: float | None = None) -> bool:
        """Mark a gap (question text, any case, + reason) 'resolved' or 'dismissed', or 'open' again.

        False when no such gap was recorded (nothing is stored then).
        """
        if reason not in GAP_REASONS:
            raise ValueError(f"reason must be one of {GAP_REASONS}")
        if status not in GAP_STATUSES:
            raise ValueError(f"status must be one of {GAP_STATUSES}")
        question = _clean(question, "question")
        table = "unanswered" if reason == "no_answer" else "votes"
        extra = "" if reason == "no_answer" else " AND vote = 'down'"
        with closing(self._connect()) as conn:
            seen = conn.execute(
                f"SELECT 1 FROM {table} WHERE lower(question) = lower(?){extra} LIMIT 1", (question,)
            ).fetchone()
            if seen is None:
                return False
            if status == "open":
                conn.execute("DELETE FROM gap_status WHERE question_key = lower(?) AND reason = ?", (question, reason))
            else:
                conn.execute(
                    "INSERT INTO gap_status (question_key, reason, status, changed_at, changed_by)"
                    " VALUES (lower(?), ?, ?, ?, ?) ON CONFLICT (question_key, reason) DO UPDATE SET"
                    " status = excluded.status, changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                    (question, reason, status, time.time() if when is None else when, _clean(by, "by")),
                )
            return True

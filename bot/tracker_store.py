"""SQLite tracker store that does not fsync on every message.

Why: with Rasa's SQLTrackerStore on SQLite, every user message commits a few transactions, and SQLite's
default (rollback journal, synchronous=FULL) fsyncs each one — measured ~50 ms per message here, more than
all of NLU and dialogue together. WAL journal with synchronous=NORMAL keeps the file consistent and keeps
every committed conversation across a Rasa restart or crash (only an OS crash or power cut can lose the last
few commits), at ~1 ms per commit. Connections are pooled (closing the last one would checkpoint with an
fsync), and a busy timeout lets concurrent sessions wait for the write lock instead of failing with
"database is locked".

Privacy: personal data in what users type (ID-card, phone and bank-card numbers, e-mail addresses, names
people give) is masked with common/privacy.py before an event is written — the user event's text,
parse_data.text and metadata, and string slot values (a pending question) — so the file never holds it. The
turn in progress is not affected (Rasa and the actions read the in-memory tracker), so answers do not change.
Retention: conversations whose last event is older than $WHOHANDLES_RETENTION_DAYS (default 180) are deleted
when the store starts and daily after (common/retention.py).

Configured in endpoints.yml as `type: bot.tracker_store.SQLiteTrackerStore` (Rasa falls back to an
in-memory store with only a warning if this class cannot be imported; tests check a restart keeps the
conversation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from common import retention
from common.privacy import mask_event


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class _MaskedEvent:
    """What SQLTrackerStore.save reads from an event (type_name, as_dict()), with the data masked."""

    __slots__ = ("type_name", "_data")

    def __init__(self, event: Any) -> None:
        self.type_name = event.type_name
        self._data = mask_event(event.as_dict())

    def as_dict(self) -> Dict[str, Any]:
        return self._data


class SQLiteTrackerStore(SQLTrackerStore):
    """SQLTrackerStore on a local SQLite file (`db`), in WAL mode; creates the file's directory."""

    def __init__(self, db: str = "var/tracker.db", **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(dialect="sqlite", db=db, **kwargs)
        # Rasa's engine uses SQLAlchemy 1.4's default for SQLite files, a NullPool: a new connection per
        # session, and closing the last one checkpoints the WAL with an fsync (~4 ms, 3 times a message).
        # Keep a few connections open instead (Rasa runs on one event-loop thread).
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        days = retention.retention_days()
        if days:
            retention.start_daily(lambda: retention.purge_tracker(db, days), "tracker")

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        """The events not stored yet (Rasa's own count), masked for saving."""
        return (_MaskedEvent(e) for e in super()._additional_events(session, tracker))

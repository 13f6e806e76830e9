"""SQLite tracker store that does not fsync on every message.

Why: with Rasa's SQLTrackerStore on SQLite, every user message commits a few transactions, and SQLite's
default (rollback journal, synchronous=FULL) fsyncs each one — measured ~50 ms per message here, more than
all of NLU and dialogue together. WAL journal with synchronous=NORMAL keeps the file consistent and keeps
every committed conversation across a Rasa restart or crash (only an OS crash or power cut can lose the last
few commits), at ~1 ms per commit. Connections are pooled (closing the last one would checkpoint with an
fsync), and a busy timeout lets concurrent sessions wait for the write lock instead of failing with
"database is locked".

The same masking, the indexed current-session query and the retention purge (in SQL there) serve
PostgresTrackerStore, the cluster's shared store (`make cluster`).

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

import logging
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted

from common import retention
from common.privacy import mask_event

logger = logging.getLogger(__name__)


class CurrentSessionQuery:
    """Load the current session through an index, so a turn costs the same however long the conversation.

    Why: Rasa's query for the current session (events since the latest `session_started`) filters on
    `timestamp` with an OR against a subquery and only `sender_id` is indexed, so the database reads every
    row of the sender (measured: a turn went from 49 to 130 ms over 100 turns of one sender). Here the
    session start is one indexed lookup and the events are an index range: same rows, same order.
    """

    def _create_session_indexes(self) -> None:
        for name, columns in (
            ("whohandles_events_session", "sender_id, type_name, timestamp"),
            ("whohandles_events_sender_time", "sender_id, timestamp"),
        ):
            try:
                with self.engine.begin() as conn:  # type: ignore[attr-defined]
                    conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON events ({columns})"))
            except sa.exc.SQLAlchemyError as exc:  # another replica creating it at the same moment
                logger.warning("index %s not created here: %s", name, exc)

    def _event_query(self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        event = self.SQLEvent  # type: ignore[attr-defined]
        query = session.query(event).filter(event.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            start = (
                session.query(sa.func.max(event.timestamp))
                .filter(event.sender_id == sender_id, event.type_name == SessionStarted.type_name)
                .scalar()
            )
            if start is not None:
                query = query.filter(event.timestamp >= start)
        return query.order_by(event.id)


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


class MaskedEvents:
    """Personal data never reaches the database, whichever SQL store holds the conversations."""

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        """The events not stored yet (Rasa's own count), masked for saving."""
        return (_MaskedEvent(e) for e in super()._additional_events(session, tracker))  # type: ignore[misc]


class SQLRetention:
    """Whole conversations whose last event is older than `days` leave the database (any SQL dialect; the
    SQLite store uses common.retention, which also overwrites the freed pages of the file and its WAL)."""

    def purge_older_than(self, days: float, now: float | None = None) -> Dict[str, int]:
        cutoff = (now or time.time()) - days * retention.DAY_S
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            old = [
                row[0]
                for row in conn.execute(
                    sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                    {"cutoff": cutoff},
                )
            ]
            events = sum(
                conn.execute(sa.text("DELETE FROM events WHERE sender_id = :sender"), {"sender": s}).rowcount
                for s in old
            )
        return {"conversations": len(old), "events": events}


class SQLiteTrackerStore(MaskedEvents, CurrentSessionQuery, SQLTrackerStore):
    """SQLTrackerStore on a local SQLite file (`db`), in WAL mode; creates the file's directory."""

    def __init__(self, db: str = "var/tracker.db", **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(dialect="sqlite", db=db, **kwargs)
        # Rasa's engine uses SQLAlchemy 1.4's default for SQLite files, a NullPool: a new connection per
        # session, and closing the last one checkpoints the WAL with an fsync (~4 ms, 3 times a message).
        # Keep a few connections open instead (Rasa runs on one event-loop thread).
        url = self.engine.url  # type: ignore[has-type]
        self.engine.dispose()  # type: ignore[has-type]
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        days = retention.retention_days()
        if days:
            retention.start_daily(lambda: retention.purge_tracker(db, days), "tracker")
        self._create_session_indexes()


class PostgresTrackerStore(MaskedEvents, CurrentSessionQuery, SQLRetention, SQLTrackerStore):
    """Rasa's SQLTrackerStore on PostgreSQL (shared by every Rasa replica of `make cluster`).

    Why a subclass: the stock engine keeps pooled connections that die when PostgreSQL restarts, and the
    next message on each of them fails. `pool_pre_ping` tests a connection before handing it out and
    reconnects, so a PostgreSQL restart costs no user message once it is back (no Rasa restart needed).
    `login_db` defaults to `postgres` so Rasa creates the `db` database on first start.
    """

    def __init__(self, login_db: str | None = "postgres", **kwargs: Any) -> None:
        kwargs["dialect"] = "postgresql"
        super().__init__(login_db=login_db, **kwargs)
        url = self.engine.url  # type: ignore[has-type]
        self.engine.dispose()  # type: ignore[has-type]
        self.engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=int(kwargs.get("pool_size") or 8),
            max_overflow=16,
            pool_timeout=10,
            connect_args={"connect_timeout": 5},
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._create_session_indexes()
        days = retention.retention_days()
        if days:  # every replica runs it; deleting what is already gone is a no-op
            retention.start_daily(lambda: self.purge_older_than(days), "tracker")

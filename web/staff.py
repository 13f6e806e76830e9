"""Staff accounts for the hotline console and the knowledge-gaps page: a small SQLite store, argon2id hashes.

Why SQLite: the web server reads it on every login (so `whohandles staff add` takes effect without a restart)
and the CLI writes it; both are short connections on one file, like the feedback store. Why argon2id
(argon2-cffi): a maintained, memory-hard password hash with its parameters inside each hash, so hashes made
with older parameters are upgraded on the next successful login.

The path is $WHOHANDLES_STAFF_DB or the project's var/staff.db (from any working directory).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from common import settings

DEFAULT_PATH = settings.default_path("STAFF_DB")  # the project's var/staff.db, from any directory
NAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\Z")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 reads all of it; a megabyte "password" must not cost a megabyte of hashing

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    name                TEXT PRIMARY KEY COLLATE NOCASE,
    hash                TEXT NOT NULL,
    created_at          REAL NOT NULL,
    password_changed_at REAL NOT NULL,
    last_login          REAL
);
"""


class StaffError(ValueError):
    """A name or password that cannot be stored (the message says why, for the CLI)."""


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise StaffError("a staff name is 1-64 letters, digits or . _ @ - (starting with a letter or digit)")
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise StaffError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StaffError(f"a password has at most {MAX_PASSWORD} characters")
    if not _encodable(password):
        raise StaffError("a password must be valid text (UTF-8)")
    return password


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


class StaffStore:
    """Staff accounts. Created on first use; the file is readable by its owner only."""

    def __init__(self, path: Path | str | None = None, hasher: PasswordHasher | None = None) -> None:
        self.path = Path(path) if path else settings.path("STAFF_DB")
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None  # verified against for unknown names, so they take as long as known ones

    def _connect(self) -> sqlite3.Connection:
        new = not self.path.exists()
        if new:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.executescript(_SCHEMA)
        return conn

    def add(self, name: str, password: str, *, replace: bool = False) -> None:
        """Create an account (replace=True: set a new password for an existing one, ending its sessions)."""
        check_name(name)
        digest = self.hasher.hash(check_password(password))
        now = time.time()
        with closing(self._connect()) as conn:
            if replace:
                cur = conn.execute(
                    "UPDATE staff SET hash = ?, password_changed_at = ? WHERE name = ?", (digest, now, name)
                )
                if cur.rowcount:
                    return
            try:
                conn.execute(
                    "INSERT INTO staff (name, hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)",
                    (name, digest, now, now),
                )
            except sqlite3.IntegrityError:
                raise StaffError(f"{name!r} already exists (use --replace to set a new password)") from None

    def remove(self, name: str) -> bool:
        """Delete an account; its open sessions stop working on their next request. False if there was none."""
        with closing(self._connect()) as conn:
            return conn.execute("DELETE FROM staff WHERE name = ?", (name,)).rowcount > 0

    def list(self) -> list[dict]:
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT name, created_at, last_login FROM staff ORDER BY name").fetchall()
        return [dict(r) for r in rows]

    def _row(self, name: str) -> sqlite3.Row | None:
        if not isinstance(name, str) or not NAME.match(name):
            return None
        with closing(self._connect()) as conn:
            return conn.execute("SELECT * FROM staff WHERE name = ?", (name,)).fetchone()

    def verify(self, name: str, password: str) -> str | None:
        """The account's stored name if the password is right, else None. Unknown names cost the same time."""
        row = self._row(name)
        if not isinstance(password, str) or len(password) > MAX_PASSWORD or not _encodable(password):
            password = ""
        if row is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash("not a real password, for timing only")
            try:
                self.hasher.verify(self._dummy, password)
            except VerificationError:
                pass
            return None
        try:
            self.hasher.verify(row["hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        with closing(self._connect()) as conn:
            if self.hasher.check_needs_rehash(row["hash"]):
                conn.execute("UPDATE staff SET hash = ? WHERE name = ?", (self.hasher.hash(password), row["name"]))
            conn.execute("UPDATE staff SET last_login = ? WHERE name = ?", (time.time(), row["name"]))
        return row["name"]

    def session_valid(self, name: str, since: float) -> bool:
        """Is a session that logged in as `name` at `since` still good (account exists, password unchanged)?"""
        row = self._row(name)
        return row is not None and float(since) >= row["password_changed_at"]

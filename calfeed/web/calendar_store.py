"""Personal calendars kept in SQLite: read by an unguessable feed id, changed by a secret edit key."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from .store_faults import Faults, Unavailable, damaged_note, set_aside

# Waiting a little for another worker's write beats failing a person's click.
LOCK_TIMEOUT = 5.0
# Seconds between looks at whether the operator dealt with a damaged file (its note removed).
RECHECK_SECONDS = 10

SCHEMA_VERSION = 1      # PRAGMA user_version once SCHEMA and its updates are applied
SCHEMA = """
CREATE TABLE IF NOT EXISTS calendar (
    feed_id TEXT PRIMARY KEY,
    edit_hash TEXT NOT NULL UNIQUE,
    generation INTEGER NOT NULL,
    choices TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    edited TEXT                 -- when it was made or last changed (UTC, ISO 8601)
);
CREATE TABLE IF NOT EXISTS creation (address_hash TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS creation_by_address ON creation (address_hash, at);
-- Bytes of choices stored in all, kept up to date by every write: summing them on each write
-- would read the whole table (100 MB at 100,000 calendars).
CREATE TABLE IF NOT EXISTS usage (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER);
INSERT OR IGNORE INTO usage VALUES (1, (SELECT COALESCE(SUM(LENGTH(choices)), 0) FROM calendar));
"""


class CalendarGone(LookupError):
    """A calendar its owner deleted: feeds answer 410 so that clients stop asking."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LimitReached(ValueError):
    """A limit of the deployment (shows, creations an hour, stored size), with what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_shows: int = 100
    creations_per_hour: int = 20
    max_total_bytes: int = 200_000_000


@dataclass(frozen=True)
class Stored:
    feed_id: str
    generation: int
    choices: dict
    edited: datetime | None = None      # None: kept before the store recorded it


def _now() -> str:
    # Whole seconds: LAST-MODIFIED and HTTP dates have no finer unit.
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _hash(secret: str) -> str:
    # The edit key has 256 random bits: a plain SHA-256 is enough, no slow hash needed.
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarStore:
    """One SQLite file, shared by workers and threads: each thread keeps its own connection.

    Never fatal: a damaged file is set aside (store_faults.py) and every use answers
    `Unavailable` until the operator deals with it; any other fault (read-only, disk full,
    locked) is `Unavailable` for the use that met it, reported once to `faults`."""

    def __init__(self, path: str, limits: Limits = Limits()):
        self.path = path
        self.limits = limits
        self.faults = Faults()
        self.damaged: str | None = None     # the note's first line, while set aside
        self._ready = False                  # tables made: the file was usable once
        self._local = threading.local()
        self._checked_at = 0.0
        self._open()

    def problem(self) -> str | None:
        """Why personal calendars cannot be used now, for /healthz (None: they can)."""
        self._recheck()
        return self.damaged or self.faults.reason

    def _recheck(self) -> None:
        if (self.damaged is not None or not self._ready) and \
                time.monotonic() - self._checked_at > RECHECK_SECONDS:
            self._open()

    def _open(self) -> None:
        """Make the file ready, or find it damaged (set it aside) or faulty (reported)."""
        self._checked_at = time.monotonic()
        self.damaged = damaged_note(self.path)
        if self.damaged is not None:
            return
        try:
            db = self._connect()
            try:
                _prepare(db)
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                self.damaged = set_aside(self.path, str(exc))
            else:
                self.faults.failed(f"{self.path}: {exc}", writing=True)
        except DamagedFile as exc:
            self.damaged = set_aside(self.path, exc.why)
        else:
            self._ready = True
            self.faults.worked(writing=True)

    def _connect(self) -> sqlite3.Connection:
        # An existing file is opened without the right to create one: if it was just moved
        # aside by another worker, this fails rather than starting an empty file in its place.
        mode = "rw" if os.path.exists(self.path) else "rwc"
        db = sqlite3.connect(f"file:{self.path}?mode={mode}", uri=True, timeout=LOCK_TIMEOUT,
                             isolation_level=None)
        # In WAL mode NORMAL stays consistent on a crash; a power cut may lose the last saves.
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def create(self, choices: dict, address: str) -> tuple[str, str]:
        """A new calendar: (feed id, edit key). Only a hash of the edit key is kept."""
        data = self._checked(choices)
        feed_id, edit_key = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
        # The address is only counted for the hourly limit, and kept hashed, never in clear.
        address_hash, now = _hash(address), time.time()
        with self._write() as db:
            made = db.execute("SELECT COUNT(*) FROM creation WHERE address_hash = ? AND at > ?",
                              (address_hash, now - 3600)).fetchone()[0]
            if made >= self.limits.creations_per_hour:
                raise LimitReached(f"{made} calendars were made from your address in the last "
                                   "hour, the most allowed: edit one you made through its edit "
                                   "link, or try again in an hour")
            self._check_room(db, len(data))
            db.execute("DELETE FROM creation WHERE at <= ?", (now - 3600,))
            db.execute("INSERT INTO creation VALUES (?, ?)", (address_hash, now))
            db.execute("INSERT INTO calendar (feed_id, edit_hash, generation, choices, edited) "
                       "VALUES (?, ?, 1, ?, ?)", (feed_id, _hash(edit_key), data, _now()))
        return feed_id, edit_key

    def feed(self, feed_id: str) -> Stored | None:
        """The calendar a feed URL names; None if unknown; CalendarGone if deleted."""
        with self._reader() as db:
            row = db.execute("SELECT generation, choices, deleted, edited FROM calendar "
                             "WHERE feed_id = ?", (feed_id,)).fetchone()
        return self._stored(feed_id, row)

    def generation(self, feed_id: str) -> int | None:
        """The edit generation of a live calendar (None: unknown or deleted): what the response
        cache keys a personal feed on, asked on every request."""
        with self._reader() as db:
            row = db.execute("SELECT generation FROM calendar WHERE feed_id = ? AND deleted = 0",
                             (feed_id,)).fetchone()
        return row[0] if row else None

    def by_edit_key(self, edit_key: str) -> Stored | None:
        with self._reader() as db:
            row = db.execute("SELECT feed_id, generation, choices, deleted, edited "
                             "FROM calendar WHERE edit_hash = ?", (_hash(edit_key),)).fetchone()
        return None if row is None else self._stored(row[0], row[1:])

    def replace(self, edit_key: str, choices: dict) -> bool:
        """New choices for the calendar of this edit key; its generation rises by one.
        False for an unknown key; CalendarGone for a deleted calendar."""
        data = self._checked(choices)
        with self._write() as db:
            row = db.execute("SELECT feed_id, deleted, LENGTH(choices) FROM calendar "
                             "WHERE edit_hash = ?", (_hash(edit_key),)).fetchone()
            if row is None or row[1]:
                db.execute("ROLLBACK")
                return row is not None and self._stored(row[0], (0, None, 1, None)) is not None
            self._check_room(db, len(data) - (row[2] or 0))
            db.execute("UPDATE calendar SET choices = ?, generation = generation + 1, "
                       "edited = ? WHERE edit_hash = ?", (data, _now(), _hash(edit_key)))
        return True

    def delete(self, edit_key: str) -> bool:
        """Forget the choices; the row stays (without them) so its feed answers 410, not 404."""
        with self._write() as db:
            row = db.execute("SELECT LENGTH(choices) FROM calendar WHERE edit_hash = ? AND "
                             "deleted = 0", (_hash(edit_key),)).fetchone()
            if row is not None:
                db.execute("UPDATE calendar SET deleted = 1, choices = NULL WHERE edit_hash = ?",
                           (_hash(edit_key),))
                db.execute("UPDATE usage SET bytes = bytes - ?", (row[0] or 0,))
        return row is not None

    def _checked(self, choices: dict) -> str:
        if len(choices.get("shows", {})) > self.limits.max_shows:
            raise LimitReached(f"a calendar holds at most {self.limits.max_shows} shows, and "
                               f"this one has {len(choices['shows'])}: remove some, or make a "
                               "second calendar")
        return json.dumps(choices, sort_keys=True, separators=(",", ":"))

    def _check_room(self, db: sqlite3.Connection, more: int) -> None:
        """Refuse `more` bytes past the limit, else count them (inside the caller's write)."""
        used = db.execute("SELECT bytes FROM usage").fetchone()[0]
        if more > 0 and used + more > self.limits.max_total_bytes:
            raise LimitReached("this calfeed keeps no more personal calendars: its storage "
                               f"({self.limits.max_total_bytes} bytes) is full; subscribe to "
                               "the show feeds instead, or try again later")
        db.execute("UPDATE usage SET bytes = bytes + ?", (more,))

    @staticmethod
    def _stored(feed_id: str, row) -> Stored | None:
        if row is None:
            return None
        generation, choices, deleted, edited = row
        if deleted:
            raise CalendarGone("this calendar was deleted by its owner: remove the "
                               "subscription from your calendar app")
        return Stored(feed_id, generation, json.loads(choices),
                      datetime.fromisoformat(edited) if edited else None)

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, kept open. Closing the last connection to a WAL database
        checkpoints it with an fsync: opening one per call made every save wait for the disk
        (a create's p99 was 250 ms on a busy machine) and every read pay for a connection."""
        db, pid = getattr(self._local, "db", None), os.getpid()
        if db is None or self._local.pid != pid:     # a forked worker makes its own
            db = self._local.db = self._connect()
            self._local.pid = pid
        return db

    @contextmanager
    def _reader(self):
        with self._guard(writing=False):
            yield self._db()

    @contextmanager
    def _write(self):
        """One write transaction on this thread's connection, rolled back on any error (a
        kept connection must never be left inside a transaction)."""
        with self._guard(writing=True):
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            if db.in_transaction:
                db.execute("COMMIT")

    @contextmanager
    def _guard(self, *, writing: bool):
        """A use of the file: refused while it is set aside; a fault becomes Unavailable."""
        self._recheck()
        if self.damaged is not None:
            raise Unavailable("personal calendars are unavailable: their file is damaged and "
                              "is being recovered; calendars and their feeds come back once it "
                              "is: try again later", 300)
        if not self._ready:
            raise Unavailable("personal calendars are unavailable now: try again later", 60)
        try:
            yield
        except sqlite3.DatabaseError as exc:
            reason, message, retry = _fault(exc)
            self.faults.failed(f"{self.path}: {reason}", writing=writing)
            raise Unavailable(message, retry) from None
        self.faults.worked(writing=writing)


class DamagedFile(Exception):
    """The file opened but does not pass SQLite's own check."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def _prepare(db: sqlite3.Connection) -> None:
    """Check the file, then make or update its tables; a file already up to date is only read
    (a read-only file still serves feeds)."""
    found = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if found != "ok":
        raise DamagedFile(f"integrity check: {found[:200]}")
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    # WAL is kept in the file: readers of feeds never wait for a save.
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    columns = {row[1] for row in db.execute("PRAGMA table_info(calendar)")}
    if "edited" not in columns:     # a database made before calendars kept it
        db.execute("ALTER TABLE calendar ADD COLUMN edited TEXT")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _fault(exc: sqlite3.DatabaseError) -> tuple[str, str, int]:
    """(for the log, for the person, seconds to wait) of one SQLite error."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (f"busy: {exc}", "personal calendars are busy with other saves: try again in a "
                "few seconds", 2)
    if name.startswith("SQLITE_READONLY"):
        return (f"read-only: {exc}", "personal calendars cannot be saved now (their file is "
                "read-only); feeds still work: try again later", 60)
    if name.startswith("SQLITE_FULL"):
        return (f"disk full: {exc}", "personal calendars cannot be saved now (the server's disk "
                "is full); feeds still work: try again later", 60)
    if _is_damage(exc):
        return (f"damaged: {exc} (it is set aside at the next start)", "personal calendars are "
                "unavailable: their file is damaged; try again later", 300)
    return (f"{name or type(exc).__name__}: {exc}", "personal calendars are unavailable now: "
            "try again later", 60)

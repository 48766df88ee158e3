"""The calendars' SQLite file itself: its tables, a connection per thread, and its faults.

Part of the SQLite calendar store (store.py holds the statements on calendars): a
damaged file is set aside (faults.py) and every use answers `Unavailable` until the
operator deals with it; any other fault (read-only, disk full, locked) is `Unavailable` for
the use that met it, reported once to `faults`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .faults import Faults, Unavailable, damaged_note, log, set_aside

# Seconds a save waits for another's write lock before it is a 503 (Retry-After: 2): a save
# takes about a millisecond, so a longer wait means a flood, and a waiting thread is one less
# answering feeds.
LOCK_TIMEOUT = 1.0
# Seconds between looks at whether the operator dealt with a damaged file (its note removed).
RECHECK_SECONDS = 10
# The write-ahead log is cut back to this size after each checkpoint: it counts on the disk.
WAL_LIMIT = 8_000_000

# What a use of the file answers while it is set aside as damaged (Retry-After: 300).
DAMAGED = ("personal calendars are unavailable: their file is damaged and is being recovered; "
           "calendars and their feeds come back once it is: try again later")

SCHEMA_VERSION = 2      # PRAGMA user_version once SCHEMA and its updates are applied
SCHEMA = """
CREATE TABLE IF NOT EXISTS calendar (
    feed_id TEXT PRIMARY KEY,
    edit_hash TEXT NOT NULL UNIQUE,
    generation INTEGER NOT NULL,
    choices TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    edited TEXT                 -- when it was made, last changed or deleted (UTC, ISO 8601)
);
CREATE TABLE IF NOT EXISTS creation (address_hash TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS creation_by_address ON creation (address_hash, at);
-- Creations over an hour old are dropped by time: without it, each drop read the whole table
-- under the write lock (5.3 ms a create at 95,700 rows).
CREATE INDEX IF NOT EXISTS creation_by_time ON creation (at);
CREATE INDEX IF NOT EXISTS deleted_by_time ON calendar (edited) WHERE deleted = 1;
-- Stored sizes were once counted here; the limit is now the file's own size.
DROP TABLE IF EXISTS usage;
"""


class SQLiteFile:
    """One SQLite file, shared by workers and threads: each thread keeps its own connection."""

    def __init__(self, path: str):
        self.path = path
        self.faults = Faults()
        self.damaged: str | None = None     # the note's first line, while set aside
        self._ready = False                  # tables made: the file was usable once
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []     # every thread's, for close()
        self._opened_lock = threading.Lock()
        self._era = 0
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
            elif not self._set_aside_meanwhile():
                self.faults.failed(f"{self.path}: {exc}", writing=True)
        except DamagedFile as exc:
            self.damaged = set_aside(self.path, exc.why)
        else:
            self._ready = True
            self.faults.worked(writing=True)

    def _set_aside_meanwhile(self) -> bool:
        """Whether another worker has set the file aside as damaged since this one last
        looked: then what just failed here (the file gone between a look and its opening, a
        connection refused in its place) is that damage, reported as such by every worker,
        not a fault of this one's."""
        self.damaged = damaged_note(self.path)
        if self.damaged is None:
            return False
        # Connections kept by this process's threads hold the moved file: none is used again.
        self._era += 1
        return True

    def _connect(self) -> sqlite3.Connection:
        # An existing file is opened without the right to create one: if it was just moved
        # aside by another worker, this fails rather than starting an empty file in its place.
        mode = "rw" if os.path.exists(self.path) else "rwc"
        # No file and a note beside it: another worker has just moved a damaged file aside
        # (it writes the note first), and none is made in its place; the caller finds the
        # note (_set_aside_meanwhile).
        if mode == "rwc" and damaged_note(self.path) is not None:
            raise sqlite3.OperationalError(f"{self.path} was just set aside as damaged")
        db = sqlite3.connect(f"{Path(self.path).absolute().as_uri()}?mode={mode}", uri=True,
                             timeout=LOCK_TIMEOUT, isolation_level=None)
        # In WAL mode NORMAL stays consistent on a crash; a power cut may lose the last saves.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
        return db

    def db(self) -> sqlite3.Connection:
        """This thread's connection, kept open. Closing the last connection to a WAL database
        checkpoints it with an fsync: opening one per call made every save wait for the disk
        (a create's p99 was 250 ms on a busy machine) and every read pay for a connection."""
        db, pid = getattr(self._local, "db", None), os.getpid()
        if db is None or self._local.pid != pid or self._local.era != self._era:
            # A forked worker makes its own; so does a thread after close().
            db = self._local.db = self._connect()
            self._local.pid, self._local.era = pid, self._era
            with self._opened_lock:
                self._opened.append(db)
        return db

    def _forget(self) -> None:
        db, self._local.db = getattr(self._local, "db", None), None
        if db is not None:
            with self._opened_lock:
                if db in self._opened:
                    self._opened.remove(db)
            db.close()

    def close(self) -> None:
        """Close every connection this process opened and fold the WAL into the file (a plain
        copy of calendars.sqlite3 then holds every calendar): at a clean stop. A thread using
        the store after this opens a new connection."""
        with self._opened_lock:
            opened, self._opened, self._era = self._opened, [], self._era + 1
        for db in opened:
            try:
                db.close()
            except sqlite3.Error:
                pass
        if not self._ready or self.damaged is not None or not os.path.exists(self.path):
            return
        try:
            db = self._connect()
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
        except sqlite3.Error as exc:
            log.warning("%s: the write-ahead log could not be folded into the file (%s); it is "
                        "read back at the next start", self.path, exc)

    @contextmanager
    def reader(self):
        with self.guard(writing=False):
            yield self.db()

    @contextmanager
    def write(self):
        """One write transaction on this thread's connection, rolled back on any error (a
        kept connection must never be left inside a transaction)."""
        with self.guard(writing=True):
            if self.faults.reason is not None:
                self._forget()      # it may have been opened read-only during the fault
            db = self.db()
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
    def guard(self, *, writing: bool):
        """A use of the file: refused while it is set aside; a fault becomes Unavailable."""
        self._recheck()
        if self.damaged is not None:
            raise Unavailable(DAMAGED, 300)
        if not self._ready:
            raise Unavailable("personal calendars are unavailable now: try again later", 60)
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if self._set_aside_meanwhile():
                self._forget()
                raise Unavailable(DAMAGED, 300) from None
            reason, message, retry = _fault(exc)
            self.faults.failed(f"{self.path}: {reason}", writing=writing)
            if retry > 2:
                # A connection opened while the file was read-only stays so: the next use
                # opens a new one, which sees the file as it is then.
                self._forget()
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
    if db.execute("PRAGMA page_count").fetchone()[0] == 0:
        # A new file gives reclaimed pages back to the disk (PRAGMA incremental_vacuum).
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")
    # WAL is kept in the file: readers of feeds never wait for a save.
    db.execute("PRAGMA journal_mode=WAL")
    columns = {row[1] for row in db.execute("PRAGMA table_info(calendar)")}
    if columns and "edited" not in columns:     # a database made before calendars kept it
        db.execute("ALTER TABLE calendar ADD COLUMN edited TEXT")
    db.executescript(SCHEMA)
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

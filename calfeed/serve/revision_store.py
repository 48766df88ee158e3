"""The state database at its boundary: opened and used whatever its condition, never fatal.

Every use of the `RevisionStore` (open, record, snapshot) goes through `StateStore`, which
turns a database fault into a `StoreFault` naming it, moves a corrupt file aside (kept for
inspection, never deleted) and keeps SEQUENCE numbers from going backwards across a lost
database: a small high-water file beside it remembers the highest SEQUENCE ever published, and
a database started afresh numbers from above it (its `sequence_base`). With a PostgreSQL
`Database` (CALFEED_DATABASE_URL) the revisions are kept there, shared by every instance; the
high-water file stays in the instance folder, for numbering from memory while it is away.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from ..database import REVISION_LOCK, Database, DatabaseFault
from ..publish.pg_revisions import PgRevisionStore
from ..publish.revisions import Revision, RevisionStore, Snapshot
from .stores import Revisions

log = logging.getLogger("calfeed.state")

# Seconds a load waits for another process's write lock: a load is retried on the next check,
# so waiting long only holds up the worker (30 s of refused connections when it was tried).
LOCK_TIMEOUT = 2.0


class StoreFault(Exception):
    """The state database cannot be used now: corrupt, locked, read-only or missing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CorruptStore(StoreFault):
    """The database file was corrupt and has been moved aside: a fresh one can be made."""


@dataclass
class StateStore:
    """The revision store of one load, with its faults turned into StoreFault."""

    path: str
    fallback_base: int | None = None   # numbering from memory: the database is unusable
    database: Database | None = None   # PostgreSQL instead of the SQLite file at `path`

    def __post_init__(self):
        self.base = 0
        self.notice: str | None = None     # what was done to make it usable, for the log
        self.fault: str | None = None      # why it numbers from memory, for /healthz
        self._store: Revisions | None = None     # the SQLite or the PostgreSQL backend

    @classmethod
    def open(cls, path: str, database: Database | None = None) -> StateStore:
        """The database, made ready (its folder created, a corrupt file moved aside and a new
        one started); raises StoreFault when it cannot be used now."""
        if database is not None:
            store = cls(path, database=database)
            store._store = PgRevisionStore(database)
            store.base = _guard(path, lambda: _pg_base(database, path))
            return store
        try:
            return cls._open(path)
        except CorruptStore as exc:
            store = cls._open(path)    # a new database, numbered above the high-water mark
            store.notice = exc.reason
            return store

    @classmethod
    def _open(cls, path: str) -> StateStore:
        store = cls(path)
        store._store = _guard(path, lambda: RevisionStore(path, timeout=LOCK_TIMEOUT))
        store.base = _guard(path, lambda: _base(path))
        return store

    @classmethod
    def in_memory(cls, path: str) -> StateStore:
        """Numbers kept in memory, above any SEQUENCE the high-water file says was published:
        used to start serving while the database cannot be used."""
        store = cls(path, fallback_base=high_water(path) + 1)
        store._store = RevisionStore(":memory:")
        store.base = store.fallback_base
        return store

    @property
    def in_memory_only(self) -> bool:
        return self.fallback_base is not None

    def record(self, airings: Iterable, version: str,
               now: datetime) -> tuple[dict[str, Revision], datetime]:
        revisions, first_loaded = _guard(self.path, lambda: self._store.record(airings, version,
                                                                              now))
        if self.base:
            revisions = {uid: Revision(r.sequence + self.base, r.modified)
                         for uid, r in revisions.items()}
        top = max((r.sequence for r in revisions.values()), default=0)
        if not self.in_memory_only:
            remember_high_water(self.path, top)
        return revisions, first_loaded

    def record_shared(self, prints, now: datetime) -> dict[str, Revision]:
        """One revision per imported show (RevisionStore.record_shared), above the base."""
        revisions = _guard(self.path, lambda: self._store.record_shared(prints, now))
        if self.base:
            revisions = {key: Revision(r.sequence + self.base, r.modified)
                         for key, r in revisions.items()}
        if not self.in_memory_only:
            remember_high_water(self.path, max((r.sequence for r in revisions.values()),
                                               default=0))
        return revisions

    def save_snapshot(self, version: str, files: Mapping[str, bytes], at: datetime) -> None:
        if not self.in_memory_only:
            _guard(self.path, lambda: self._store.save_snapshot(version, dict(files), at))

    def load_snapshot(self) -> Snapshot | None:
        if self.in_memory_only:
            return None
        return _guard(self.path, self._store.load_snapshot)

    def raise_base(self, above: int) -> None:
        """Number from above `above` from now on: after serving from memory, the database's
        numbers must not fall below what was served meanwhile."""
        if above >= self.base and not self.in_memory_only:
            if self.database is not None:
                # Another instance may have raised it further: number as the database says.
                self.base = _guard(self.path, lambda: _pg_set_base(self.database, above + 1))
                return
            _guard(self.path, lambda: _set_base(self.path, above + 1))
            self.base = above + 1


def _connect(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=LOCK_TIMEOUT, isolation_level=None)


def _base(path: str) -> int:
    """The database's sequence base; a new database starts above the high-water mark, so a
    database lost or moved aside never makes numbers go back."""
    connection = _connect(path)
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS sequence_base "
                           "(id INTEGER PRIMARY KEY CHECK (id = 1), base INTEGER NOT NULL)")
        row = connection.execute("SELECT base FROM sequence_base").fetchone()
        if row is not None:
            return row[0]
        fresh = not connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'event_revision'").fetchone() or \
            not connection.execute("SELECT 1 FROM event_revision LIMIT 1").fetchone()
        base = high_water(path) + 1 if fresh else 0
        connection.execute("INSERT OR IGNORE INTO sequence_base VALUES (1, ?)", (base,))
        return connection.execute("SELECT base FROM sequence_base").fetchone()[0]
    finally:
        connection.close()


def _set_base(path: str, base: int) -> None:
    connection = _connect(path)
    try:
        connection.execute("UPDATE sequence_base SET base = MAX(base, ?)", (base,))
    finally:
        connection.close()


def _pg_base(database: Database, path: str) -> int:
    """_base in PostgreSQL: set once, by the first instance, under the revisions' lock."""
    with database.transaction() as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (REVISION_LOCK,))
        row = connection.execute("SELECT base FROM sequence_base").fetchone()
        if row is not None:
            return row[0]
        fresh = connection.execute("SELECT 1 FROM event_revision LIMIT 1").fetchone() is None
        base = high_water(path) + 1 if fresh else 0
        connection.execute("INSERT INTO sequence_base VALUES (1, %s)", (base,))
        return base


def _pg_set_base(database: Database, base: int) -> int:
    with database.transaction() as connection:
        return connection.execute("UPDATE sequence_base SET base = GREATEST(base, %s) "
                                  "RETURNING base", (base,)).fetchone()[0]


def _guard(path: str, action):
    """Run one use of the database; a fault becomes StoreFault, a corrupt file is moved aside."""
    try:
        return action()
    except StoreFault:
        raise
    except DatabaseFault as exc:
        raise StoreFault(exc.reason) from None
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if isinstance(exc, sqlite3.OperationalError) or "readonly" in message:
            raise StoreFault(f"the state database cannot be used: {message}") from None
        # "file is not a database", "database disk image is malformed": kept for inspection.
        aside = move_aside(path)
        if aside is None:
            raise StoreFault(f"the state database is corrupt ({message}) and could not be "
                             "moved aside") from None
        raise CorruptStore(f"the state database was corrupt ({message}); moved aside to "
                           f"{Path(aside).name}") from None
    except OSError as exc:
        raise StoreFault(f"the state database cannot be used: {exc.strerror or exc}") from None


def move_aside(path: str) -> str | None:
    """Rename a corrupt database (and its journal files) out of the way; None if impossible."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = f"{path}.corrupt-{stamp}"
    try:
        os.replace(path, aside)
    except OSError as exc:
        log.error("could not move the corrupt state database aside: %s", exc.strerror)
        return None
    for suffix in ("-journal", "-wal", "-shm"):
        try:
            os.replace(path + suffix, aside + suffix)
        except OSError:
            pass
    log.error("the state database %s was corrupt: moved aside to %s", path, aside)
    return aside


def high_water_path(path: str) -> str:
    return f"{path}.high-water"


def high_water(path: str) -> int:
    """The highest SEQUENCE ever published with this database, -1 if unknown."""
    try:
        return int(Path(high_water_path(path)).read_text().strip() or -1)
    except (OSError, ValueError):
        return -1


def remember_high_water(path: str, sequence: int) -> None:
    """Raise the high-water mark (written whole, by rename; never lowered)."""
    if path == ":memory:" or sequence <= high_water(path):
        return
    target = high_water_path(path)
    try:
        temporary = f"{target}.{os.getpid()}"
        Path(temporary).write_text(f"{sequence}\n")
        os.replace(temporary, target)
    except OSError as exc:
        log.warning("could not write the SEQUENCE high-water mark %s: %s", target, exc.strerror)

"""Personal calendars in PostgreSQL: the SQLite store's statements and answers, shared by every
instance, with the last state each worker read kept to serve feeds while it is away."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

from ..database import CALENDAR_LOCK, Database, DatabaseFault, Statements
from ..lru import BoundedLRU
from .rules import CalendarGone, Limits, Stored
from .store import CalendarStore
from .faults import Unavailable

# Seconds a generation read from the database is trusted before asking again: a save on
# another instance reaches this one's feeds within it, and the response cache's answer to a
# personal feed costs no round trip meanwhile. A save on this worker is seen at once.
FRESH_SECONDS = 1.0
# Bytes of calendars (their choices) each process remembers to serve feeds from while the
# database is away, the least recently read going first.
REMEMBERED_BYTES = 8_000_000
RETRY_SECONDS = 5
UNREACHABLE = ("personal calendars cannot be saved or opened right now (their database does "
               "not answer); nothing was changed: try again shortly")


class _Connection(Statements):
    """What the SQLite store's statements are given: `in_transaction` as sqlite3 says it (a
    reader may start a reclaim; a write may not)."""

    def __init__(self, connection, in_transaction: bool):
        super().__init__(connection)
        self.in_transaction = in_transaction


class PgFile:
    """In place of the SQLite store's file: transactions on the shared database, every
    calendar write under one advisory lock (as SQLite's BEGIN IMMEDIATE), a fault 503."""

    def __init__(self, database: Database):
        self.database = database
        try:
            with database.transaction():
                pass        # migrated at start; an outage is logged and retried on use
        except DatabaseFault:
            pass

    def problem(self) -> str | None:
        return self.database.fault

    def close(self) -> None:
        self.database.close()

    @contextmanager
    def reader(self):
        with self.guard(writing=False), self.database.transaction() as connection:
            yield _Connection(connection, in_transaction=False)

    @contextmanager
    def write(self):
        with self.guard(writing=True), self.database.transaction() as connection:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (CALENDAR_LOCK,))
            yield _Connection(connection, in_transaction=True)

    @contextmanager
    def guard(self, *, writing: bool):
        # A write either commits or answers 503: nothing half done is kept, nothing is lost
        # that the person was told was saved.
        try:
            yield
        except DatabaseFault:
            raise Unavailable(UNREACHABLE, RETRY_SECONDS) from None


class PgCalendarStore(CalendarStore):
    """CalendarStore kept in a shared PostgreSQL database (migrated by `Database`)."""

    NO_SHOWS = "choices::jsonb -> 'shows' = '{}'::jsonb"

    def __init__(self, database: Database, limits: Limits = Limits()):
        self.path, self.limits = database.shown, limits
        self.file = PgFile(database)
        self._tidied = self._reclaimed = float("-inf")
        # Feed id -> (the calendar, when it was read), least recently read dropped first.
        self._remembered: BoundedLRU[tuple[Stored, float]] = BoundedLRU(REMEMBERED_BYTES)

    def feed(self, feed_id: str) -> Stored | None:
        """As CalendarStore.feed; while the database is away, the last state read here."""
        try:
            stored = super().feed(feed_id)
        except CalendarGone:
            self._forget(feed_id)
            raise
        except Unavailable:
            kept = self._remembered.get(feed_id, None)
            if kept is None:
                raise
            return kept[0]
        if stored is not None:      # unknown ids are not kept: anyone can make up many
            self._remember(feed_id, stored)
        return stored

    def generation(self, feed_id: str) -> int | None:
        kept = self._remembered.get(feed_id, None)
        if kept is not None and time.monotonic() - kept[1] < FRESH_SECONDS:
            return kept[0].generation
        try:
            generation = super().generation(feed_id)
        except Unavailable:
            return kept[0].generation if kept is not None else None
        if kept is not None and kept[0].generation == generation:
            self._remember(feed_id, kept[0])
        elif kept is not None:
            self._forget(feed_id)      # changed elsewhere: read whole by the next feed()
        return generation

    def replace(self, edit_key: str, choices: dict, generation: int | None = None) -> bool:
        changed = super().replace(edit_key, choices, generation)
        try:
            stored = self.by_edit_key(edit_key) if changed else None
        except Unavailable:
            stored = None       # saved: never answer 503 for a save that was made
        if stored is not None:
            self._remember(stored.feed_id, stored)      # this worker sees its save at once
        return changed

    def delete(self, edit_key: str) -> bool:
        try:
            stored = self.by_edit_key(edit_key)
        except CalendarGone:
            stored = None       # deleted already, by another request
        deleted = super().delete(edit_key)
        if stored is not None:
            self._forget(stored.feed_id)
        return deleted

    def _give_back(self) -> None:
        """Nothing to do here: the server's autovacuum makes the space of deleted rows free
        for new ones (reclaim's rows are gone once its transactions commit)."""

    def backup(self, target: str) -> int:
        raise Unavailable("personal calendars are kept in PostgreSQL: back them up with "
                          "pg_dump or the database's own backups (docs/deploy.md)", 0)

    def _disk_use(self, db) -> int:
        # The tables with their indexes and TOAST, as the server keeps them on disk.
        return db.execute("SELECT pg_total_relation_size('calendar') + "
                          "pg_total_relation_size('creation')").fetchone()[0]

    def _remember(self, feed_id: str, stored: Stored) -> None:
        self._remembered.put(feed_id, (stored, time.monotonic()),
                             len(json.dumps(stored.choices)) + len(feed_id), replace=True)

    def _forget(self, feed_id: str) -> None:
        self._remembered.discard(feed_id)

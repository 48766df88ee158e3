"""Personal calendars in PostgreSQL: the SQLite store's statements and answers, shared by every
instance, with the last state each instance read kept to serve feeds while it is away."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

from ..database import CALENDAR_LOCK, Database, DatabaseFault, Statements
from .calendar_store import CalendarGone, CalendarStore, Limits, Stored
from .store_faults import Unavailable

# Seconds a generation read from the database is trusted before asking again: a save on
# another instance reaches this one's feeds within it, and the response cache's answer to a
# personal feed costs no round trip meanwhile. A save on this instance is seen at once.
FRESH_SECONDS = 1.0
# Bytes of calendars (their choices) each process remembers to serve feeds from while the
# database is away, the least recently read going first.
REMEMBERED_BYTES = 8_000_000
RETRY_SECONDS = 5
UNREACHABLE = ("personal calendars cannot be saved or opened right now (their database does "
               "not answer); nothing was changed: try again shortly")


class _Writes(Statements):
    """One write transaction: the SQLite store's ROLLBACK (leave without a change) undoes
    what the transaction did, which PostgreSQL does with a savepoint taken at its start."""

    def execute(self, sql: str, parameters=()):
        if sql == "ROLLBACK":
            return self.connection.execute("ROLLBACK TO SAVEPOINT calendar_write")
        return super().execute(sql, parameters)


class PgCalendarStore(CalendarStore):
    """CalendarStore kept in a shared PostgreSQL database (migrated by `Database`)."""

    def __init__(self, database: Database, limits: Limits = Limits()):
        self.database, self.limits, self.path = database, limits, database.shown
        self._remembered: OrderedDict[str, tuple[Stored, float, int]] = OrderedDict()
        self._bytes, self._lock = 0, threading.Lock()
        try:
            with database.transaction():
                pass        # migrated at start; an outage is logged and retried on use
        except DatabaseFault:
            pass

    def problem(self) -> str | None:
        return self.database.fault

    def feed(self, feed_id: str) -> Stored | None:
        """As CalendarStore.feed; while the database is away, the last state read here."""
        try:
            stored = super().feed(feed_id)
        except CalendarGone:
            self._forget(feed_id)
            raise
        except Unavailable:
            kept = self._remembered.get(feed_id)
            if kept is None:
                raise
            return kept[0]
        if stored is not None:      # unknown ids are not kept: anyone can make up many
            self._remember(feed_id, stored)
        return stored

    def generation(self, feed_id: str) -> int | None:
        kept = self._remembered.get(feed_id)
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

    def replace(self, edit_key: str, choices: dict) -> bool:
        changed = super().replace(edit_key, choices)
        try:
            stored = self.by_edit_key(edit_key) if changed else None
        except Unavailable:
            stored = None       # saved: never answer 503 for a save that was made
        if stored is not None:
            self._remember(stored.feed_id, stored)      # this instance sees its save at once
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

    @contextmanager
    def _reader(self):
        with self._guard(writing=False):
            with self.database.transaction() as connection:
                yield Statements(connection)

    @contextmanager
    def _write(self):
        with self._guard(writing=True):
            with self.database.transaction() as connection:
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (CALENDAR_LOCK,))
                connection.execute("SAVEPOINT calendar_write")
                yield _Writes(connection)

    @contextmanager
    def _guard(self, *, writing: bool):
        # A write either commits or answers 503: nothing half done is kept, nothing is lost
        # that the person was told was saved.
        try:
            yield
        except DatabaseFault:
            raise Unavailable(UNREACHABLE, RETRY_SECONDS) from None

    def _remember(self, feed_id: str, stored: Stored) -> None:
        size = len(json.dumps(stored.choices)) + len(feed_id)
        with self._lock:
            self._forget_locked(feed_id)
            self._remembered[feed_id] = (stored, time.monotonic(), size)
            self._bytes += size
            while self._bytes > REMEMBERED_BYTES and self._remembered:
                self._forget_locked(next(iter(self._remembered)))

    def _forget(self, feed_id: str) -> None:
        with self._lock:
            self._forget_locked(feed_id)

    def _forget_locked(self, feed_id: str) -> None:
        kept = self._remembered.pop(feed_id, None)
        if kept is not None:
            self._bytes -= kept[2]

"""Personal calendars kept in SQLite: read by an unguessable feed id, changed by a secret edit key.

Every SQL statement of the calendars is in this module and sqlite_file.py (the file: its
tables, connections and faults), behind `CalendarStore`'s methods, which are all the web layer
calls (`serve.stores.Calendars`: another backend implements the same methods; what they share
is in rules.py). Reads never wait for a save: WAL, a connection per thread, and saves
that are short transactions; a refusal (429) is found by reads alone and writes nothing.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from datetime import datetime, timedelta, timezone

from .rules import GONE, CalendarGone, Limits, Outdated, Stored, creator, encoded, \
    now_text, secret_hash, storage_full, too_many
from .sqlite_file import SQLiteFile
from .faults import Unavailable

# Seconds between drops of creations older than an hour, and between reclaims of old rows.
TIDY_SECONDS, RECLAIM_SECONDS = 60, 3600
RECLAIM_BATCH = 500


class CalendarStore:
    """Personal calendars in one SQLite file (sqlite_file.py), never fatal: a fault is
    `faults.Unavailable` for the use that met it."""

    # A calendar left without a show, as this backend's SQL reads the stored JSON.
    NO_SHOWS = "json_extract(choices, '$.shows') = '{}'"

    def __init__(self, path: str, limits: Limits = Limits()):
        self.path = path
        self.limits = limits
        self.file = SQLiteFile(path)
        self._tidied = self._reclaimed = float("-inf")

    def problem(self) -> str | None:
        """Why personal calendars cannot be used now, for /healthz (None: they can)."""
        return self.file.problem()

    def close(self) -> None:
        """At a clean stop: every calendar folded into the file itself (sqlite_file.py)."""
        self.file.close()

    def create(self, choices: dict, address: str) -> tuple[str, str]:
        """A new calendar: (feed id, edit key). Only a hash of the edit key is kept."""
        data = encoded(choices, self.limits)
        # The creator is only counted for the hourly limit, and kept hashed, never in clear.
        who, now = creator(address), time.time()
        with self.file.reader() as db:      # a refusal costs no write
            self._refuse(db, who, now, len(data))
        feed_id, edit_key = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
        with self.file.write() as db:
            self._refuse(db, who, now, len(data))    # again: another save may have come first
            db.execute("INSERT INTO creation VALUES (?, ?)", (who, now))
            db.execute("INSERT INTO calendar (feed_id, edit_hash, generation, choices, edited) "
                       "VALUES (?, ?, 1, ?, ?)", (feed_id, secret_hash(edit_key), data,
                                                  now_text()))
        self._tidy(now)
        return feed_id, edit_key

    def feed(self, feed_id: str) -> Stored | None:
        """The calendar a feed URL names; None if unknown; CalendarGone if deleted."""
        with self.file.reader() as db:
            row = db.execute("SELECT generation, choices, deleted, edited FROM calendar "
                             "WHERE feed_id = ?", (feed_id,)).fetchone()
        return self._stored(feed_id, row)

    def generation(self, feed_id: str) -> int | None:
        """The edit generation of a live calendar (None: unknown or deleted): what the response
        cache keys a personal feed on, asked on every request."""
        with self.file.reader() as db:
            row = db.execute("SELECT generation FROM calendar WHERE feed_id = ? AND deleted = 0",
                             (feed_id,)).fetchone()
        return row[0] if row else None

    def by_edit_key(self, edit_key: str) -> Stored | None:
        with self.file.reader() as db:
            row = db.execute("SELECT feed_id, generation, choices, deleted, edited "
                             "FROM calendar WHERE edit_hash = ?",
                             (secret_hash(edit_key),)).fetchone()
        return None if row is None else self._stored(row[0], row[1:])

    def replace(self, edit_key: str, choices: dict, generation: int | None = None) -> bool:
        """New choices for the calendar of this edit key; its generation rises by one. With
        `generation` (the one its edit page showed), Outdated if another save came since.
        False for an unknown key; CalendarGone for a deleted calendar."""
        data = encoded(choices, self.limits)
        with self.file.write() as db:
            row = db.execute("SELECT feed_id, deleted, LENGTH(choices), generation "
                             "FROM calendar WHERE edit_hash = ?",
                             (secret_hash(edit_key),)).fetchone()
            if row is None:
                return False
            if row[1]:
                raise CalendarGone(GONE)
            if generation is not None and generation != row[3]:
                raise Outdated(row[3])
            if len(data) > (row[2] or 0) and self._full(db, len(data) - (row[2] or 0)):
                raise storage_full(self.limits)
            db.execute("UPDATE calendar SET choices = ?, generation = generation + 1, "
                       "edited = ? WHERE edit_hash = ?", (data, now_text(), secret_hash(edit_key)))
        return True

    def delete(self, edit_key: str) -> bool:
        """Forget the choices; the row stays (without them) so its feed answers 410, not 404,
        until it is reclaimed `keep_deleted_days` later."""
        with self.file.write() as db:
            changed = db.execute("UPDATE calendar SET deleted = 1, choices = NULL, edited = ? "
                                 "WHERE edit_hash = ? AND deleted = 0",
                                 (now_text(), secret_hash(edit_key))).rowcount
        return changed > 0

    def reclaim(self, now: float | None = None) -> int:
        """Drop deleted calendars' rows after `keep_deleted_days` and calendars left without a
        show after `keep_empty_days` unchanged; give their pages back to the disk. Found by a
        read, dropped in short writes, so feeds and saves go on meanwhile. Returns how many."""
        at = datetime.fromtimestamp(now or time.time(), timezone.utc)
        deleted = (at - timedelta(days=self.limits.keep_deleted_days)).isoformat()
        empty = (at - timedelta(days=self.limits.keep_empty_days)).isoformat()
        with self.file.reader() as db:
            found = [row[0] for row in db.execute(
                "SELECT feed_id FROM calendar WHERE deleted = 1 AND COALESCE(edited, '') < ? "
                "UNION ALL SELECT feed_id FROM calendar WHERE deleted = 0 AND "
                "COALESCE(edited, '') < ? AND " + self.NO_SHOWS, (deleted, empty))]
        for start in range(0, len(found), RECLAIM_BATCH):
            batch = found[start:start + RECLAIM_BATCH]
            with self.file.write() as db:
                db.execute(f"DELETE FROM calendar WHERE feed_id IN "
                           f"({', '.join('?' * len(batch))})", batch)
        if found:
            self._give_back()
        self._reclaimed = time.monotonic()
        return len(found)

    def _give_back(self) -> None:
        """The pages of reclaimed rows back to the disk."""
        with self.file.guard(writing=True):
            # As a script: through execute(), Python steps it once, freeing one page. The
            # log holds every page the drop touched: fold it back and cut it.
            self.file.db().executescript("PRAGMA incremental_vacuum; "
                                         "PRAGMA wal_checkpoint(TRUNCATE);")

    def disk_use(self) -> int:
        """Bytes the calendars take on disk: the file's pages in use and its write-ahead log."""
        with self.file.reader() as db:
            return self._disk_use(db)

    def backup(self, target: str) -> int:
        """A consistent copy of every calendar in `target`, made with SQLite's online backup
        while the service runs (written beside it, then renamed). Returns how many it holds."""
        partial = f"{target}.partial"
        if os.path.exists(partial):
            os.remove(partial)
        # Opened first: a target that cannot be written is the target's fault (sqlite3.Error
        # or OSError to the caller), not the calendars file's.
        copy = sqlite3.connect(partial)
        try:
            copy.execute("PRAGMA user_version")
            with self.file.reader() as db:
                db.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            count = copy.execute("SELECT COUNT(*) FROM calendar").fetchone()[0]
        finally:
            copy.close()
        os.replace(partial, target)
        return count

    def _refuse(self, db: sqlite3.Connection, who: str, now: float, size: int) -> None:
        made = db.execute("SELECT COUNT(*) FROM creation WHERE address_hash = ? AND at > ?",
                          (who, now - 3600)).fetchone()[0]
        if made >= self.limits.creations_per_hour:
            raise too_many(made)
        if self._full(db, size):
            if not db.in_transaction and time.monotonic() - self._reclaimed > RECLAIM_SECONDS \
                    and self.reclaim(now) and not self._full(db, size):
                return      # old rows made room
            raise storage_full(self.limits)

    def _full(self, db: sqlite3.Connection, more: int) -> bool:
        return self._disk_use(db) + more > self.limits.max_total_bytes

    def _disk_use(self, db: sqlite3.Connection) -> int:
        # Free pages are used again before the file grows: they are room, not use.
        pages = db.execute("PRAGMA page_count").fetchone()[0] - \
            db.execute("PRAGMA freelist_count").fetchone()[0]
        try:
            wal = os.path.getsize(f"{self.path}-wal")
        except OSError:
            wal = 0
        return pages * db.execute("PRAGMA page_size").fetchone()[0] + wal

    def _tidy(self, now: float) -> None:
        """Drop creations over an hour old (by the index on time), at most once a minute."""
        if time.monotonic() - self._tidied < TIDY_SECONDS:
            return
        self._tidied = time.monotonic()
        # After a save that succeeded: a fault here (reported) must not turn it into a 503,
        # which the person would answer by saving again.
        try:
            with self.file.write() as db:
                db.execute("DELETE FROM creation WHERE at <= ?", (now - 3600,))
            if time.monotonic() - self._reclaimed > RECLAIM_SECONDS:
                self.reclaim(now)
        except Unavailable:
            pass

    @staticmethod
    def _stored(feed_id: str, row) -> Stored | None:
        if row is None:
            return None
        generation, choices, deleted, edited = row
        if deleted:
            raise CalendarGone(GONE)
        return Stored(feed_id, generation, json.loads(choices),
                      datetime.fromisoformat(edited) if edited else None)


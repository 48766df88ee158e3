"""Revisions: each event's SEQUENCE and LAST-MODIFIED, kept across reloads and restarts in SQLite.

Calendar clients keep an event they have seen until its SEQUENCE rises (Google Calendar kept
an old time otherwise), so a changed airing must get a higher number than any served before,
even after the server restarts. The store remembers, per event UID, a fingerprint of what the
event says; a different fingerprint on a later load raises the sequence and stamps the time.

Two kinds of event have revisions: one per release (`Airing.uid`, feeds with every release) and
one per episode (`Airing.episode_key`), which every region's event of that episode
(`Airing.episode_uid`) takes. Its fingerprint covers every airing of the episode and the
regions of each, so whichever release a feed picks (the earliest, or one chosen), a change to
any candidate raises the SEQUENCE: it never falls back when the picked release changes. A
change elsewhere raises it too, which costs a client an update of an unchanged event; one
revision an episode rather than one an episode and region keeps the store the size it was
(a release to `world` would otherwise make some 200 rows an episode).

An event that leaves the data keeps its row (its SEQUENCE must never go backwards for a client
that holds it) with its fingerprint replaced by `REMOVED`: should it come back, even unchanged,
it differs from that and gets a higher SEQUENCE, so clients that deleted it take it as new.

Imported shows (some 250,000 airings) have one revision a show instead (`record_shared`): every
event of the show takes it, and it rises when anything the show's events say changes, which for
imported data is only with a new dataset version that changes the show. A show's row also keeps the highest SEQUENCE
its events were given, so a show that moves between a curated file and the import (same UIDs)
continues above it either way and never goes back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from ..schedule.model import Airing, Show
from ..schedule.wallclock import UTC

# The fingerprint of an event absent from the last load; no sha256 prefix looks like it.
REMOVED = "removed"
# How an imported release's provenance notes name the dataset ("bangumi-data 0.3.208").
DATASET_NOTE = "bangumi-data "

_SCHEMA = """
CREATE TABLE IF NOT EXISTS event_revision (
    uid TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    modified TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS data_version (
    version TEXT PRIMARY KEY,
    first_loaded TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS last_good_file (
    name TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS show_revision (
    show_key TEXT PRIMARY KEY,
    shared INTEGER NOT NULL,      -- 1: every event takes this revision (imported); 0: curated
    fingerprint TEXT NOT NULL,
    sequence INTEGER NOT NULL,    -- shared: the show's; curated: the highest of its events
    modified TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS last_good (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Revision:
    sequence: int
    modified: datetime


def fingerprint(airing: Airing, show_part: str | None = None) -> str:
    """What an event shows: its times, titles, release and links. Equal data, equal print."""
    show_part = show_part if show_part is not None else _show_part(airing)
    parts = [airing.start_utc.isoformat(), airing.end_utc.isoformat(), show_part,
             repr(sorted(airing.episode.titles.items())), airing.release.name,
             airing.release.kind, airing.release.url or "", str(airing.moved),
             str(airing.shifted)]
    if airing.release.provenance != "curated":
        # Inferred times are STATUS:TENTATIVE: a time that becomes the dataset's own (or the
        # reverse) is a change clients must take, and so is a day that gains its time (an
        # all-day event becomes a timed one). Curated prints stay as they were.
        parts += [airing.release.provenance, airing.release.precision]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def event_prints(airings: Iterable[Airing]) -> Iterator[tuple[str, str]]:
    """(revision key, fingerprint) of every event these airings make: one per release, and one
    per episode covering every release of it and where each can be watched."""
    show_parts: dict[str, str] = {}
    episodes: dict[str, list[str]] = {}
    for airing in airings:
        if airing.show.id not in show_parts:
            show_parts[airing.show.id] = _show_part(airing)
        print_now = fingerprint(airing, show_parts[airing.show.id])
        yield airing.uid, print_now
        episodes.setdefault(airing.episode_key, []).append(
            "\x1d".join([airing.release.id, print_now, *sorted(airing.release.regions)]))
    for key, candidates in episodes.items():
        yield key, hashlib.sha256("\x1e".join(sorted(candidates)).encode()).hexdigest()[:24]


def shared_print(show: Show) -> str:
    """What every event of a show with one shared revision says (an imported show): titles,
    links, each release's schedule, names and provenance; not its episode count, which grows
    with the days for an open-ended show without changing any event already made, nor the
    dataset's version."""
    parts = [repr(sorted(show.title.items())), repr(sorted(show.links.items())), show.kind,
             str(show.duration), show.studio or "",
             repr([(e.number, sorted(e.titles.items())) for e in show.episodes if e.titles])]
    for r in show.releases:
        # The dataset's version is named in the notes but is not what an event says: an
        # update that moves no time of a show must not make calendars take all its events.
        notes = tuple(n for n in r.provenance_notes if not n.startswith(DATASET_NOTE))
        parts.append(repr((r.id, r.name, r.kind, sorted(r.regions), r.timezone.key,
                           str(r.start), r.every_days, r.url, r.skip, r.moves, r.follows,
                           r.offset, r.provenance, notes, r.precision)))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _show_part(airing: Airing) -> str:
    return repr((sorted(airing.show.title.items()), sorted(airing.show.links.items())))


@dataclass(frozen=True)
class Snapshot:
    """The last schedules that loaded: served again when a start finds the folder invalid."""

    version: str
    loaded_at: datetime
    files: dict[str, bytes]


class RevisionStore:
    """The SQLite file that remembers every event's revision and the last good schedules;
    opened per load, never shared between threads or processes. The statements are those
    PostgreSQL takes too (pg_revisions.py runs them there, `?` written `%s`)."""

    def __init__(self, path: str | Path, timeout: float = 30):
        self.path = str(path)
        self.timeout = timeout   # seconds to wait for another process's write lock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        connection.executescript(_SCHEMA)
        return connection

    @contextmanager
    def _transaction(self, write: bool = True):
        """One transaction, taking the write lock at once (BEGIN IMMEDIATE) when it writes."""
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield connection
            connection.execute("COMMIT")
        finally:
            connection.close()

    def save_snapshot(self, version: str, files: dict[str, bytes], loaded_at: datetime) -> None:
        """Keep these files as the last good schedules, unless this version is kept already."""
        with self._transaction() as connection:
            kept = connection.execute("SELECT version FROM last_good").fetchone()
            if kept is None or kept[0] != version:
                connection.execute("DELETE FROM last_good_file")
                connection.executemany("INSERT INTO last_good_file VALUES (?, ?)",
                                       sorted(files.items()))
                connection.execute("INSERT INTO last_good VALUES (1, ?, ?) ON CONFLICT(id) DO "
                                   "UPDATE SET version=excluded.version, "
                                   "loaded_at=excluded.loaded_at",
                                   (version, loaded_at.astimezone(UTC).isoformat()))

    def load_snapshot(self) -> Snapshot | None:
        with self._transaction(write=False) as connection:
            kept = connection.execute("SELECT version, loaded_at FROM last_good").fetchone()
            if kept is None:
                return None
            files = {name: bytes(content) for name, content in
                     connection.execute("SELECT name, content FROM last_good_file")}
        return Snapshot(kept[0], datetime.fromisoformat(kept[1]), files)

    def record(self, airings: Iterable[Airing], version: str,
               now: datetime) -> tuple[dict[str, Revision], datetime]:
        """Revisions for these airings, raising those that changed; and the version's first load.

        One transaction with a write lock (BEGIN IMMEDIATE), so processes loading the same data
        at once agree on the numbers instead of raising a sequence twice.
        """
        airings = list(airings)
        stamp = now.astimezone(UTC).replace(microsecond=0)
        show_of = {}
        for airing in airings:
            show_of[airing.uid] = show_of[airing.episode_key] = airing.show.uid_key
        with self._transaction() as connection:
            known = {uid: (fp, seq, modified) for uid, fp, seq, modified in connection.execute(
                "SELECT uid, fingerprint, sequence, modified FROM event_revision")}
            shows = _show_rows(connection, set(show_of.values()))
            # A show served from the import before: its events continue above its number.
            floors = {key: row[2] + 1 for key, row in shows.items() if row[0]}
            revisions, changes = {}, []
            for uid, print_now in event_prints(airings):
                before = known.get(uid)
                floor = floors.get(show_of[uid], 0)
                if before is None or before[0] != print_now or before[1] < floor:
                    sequence = 0 if before is None else before[1] + 1
                    revisions[uid] = Revision(max(sequence, floor), stamp)
                    changes.append((uid, print_now, max(sequence, floor), stamp.isoformat()))
                else:
                    revisions[uid] = Revision(before[1], datetime.fromisoformat(before[2]))
            # Every load records the whole catalogue, so what is not in it was removed.
            gone = [(REMOVED, uid) for uid, (fp, _, _) in known.items()
                    if fp != REMOVED and uid not in revisions]
            connection.executemany("UPDATE event_revision SET fingerprint = ? WHERE uid = ?",
                                   gone)
            connection.executemany(
                "INSERT INTO event_revision (uid, fingerprint, sequence, modified) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(uid) DO UPDATE SET fingerprint=excluded."
                "fingerprint, sequence=excluded.sequence, modified=excluded.modified", changes)
            _keep_highest(connection, shows, revisions, show_of, stamp)
            connection.execute("INSERT INTO data_version VALUES (?, ?) ON CONFLICT DO NOTHING",
                               (version, stamp.isoformat()))
            first_loaded = datetime.fromisoformat(connection.execute(
                "SELECT first_loaded FROM data_version WHERE version = ?", (version,)
            ).fetchone()[0])
        return revisions, first_loaded

    def record_shared(self, prints: Iterable[tuple[str, str]],
                      now: datetime) -> dict[str, Revision]:
        """One revision per show for shows whose events all share it: (show key, fingerprint of
        everything its events say) in, the show's revision by key out. A show whose events had
        their own revisions (a curated file, before) continues above the highest of them."""
        prints = dict(prints)
        stamp = now.astimezone(UTC).replace(microsecond=0)
        with self._transaction() as connection:
            rows = _show_rows(connection, set(prints))
            revisions, changes = {}, []
            for key, print_now in prints.items():
                before = rows.get(key)
                if before is not None and before[0] and before[1] == print_now:
                    revisions[key] = Revision(before[2], datetime.fromisoformat(before[3]))
                    continue
                sequence = 0 if before is None else before[2] + 1
                revisions[key] = Revision(sequence, stamp)
                changes.append((key, 1, print_now, sequence, stamp.isoformat()))
            connection.executemany(_UPSERT_SHOW, changes)
        return revisions


_UPSERT_SHOW = ("INSERT INTO show_revision (show_key, shared, fingerprint, sequence, modified) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(show_key) DO UPDATE SET "
                "shared=excluded.shared, fingerprint=excluded.fingerprint, "
                "sequence=excluded.sequence, modified=excluded.modified")


def _show_rows(connection, keys: set[str]) -> dict[str, tuple]:
    """(shared, fingerprint, sequence, modified) of these shows' rows, by show key."""
    rows = {}
    for key, shared, print_, sequence, modified in connection.execute(
            "SELECT show_key, shared, fingerprint, sequence, modified FROM show_revision"):
        if key in keys:
            rows[key] = (shared, print_, sequence, modified)
    return rows


def _keep_highest(connection, shows: dict[str, tuple], revisions: dict[str, Revision],
                  show_of: dict[str, str], stamp: datetime) -> None:
    """Remember, per curated show, the highest SEQUENCE its events have had."""
    highest: dict[str, int] = {}
    for uid, revision in revisions.items():
        key = show_of[uid]
        highest[key] = max(highest.get(key, 0), revision.sequence)
    changes = []
    for key, top in highest.items():
        before = shows.get(key)
        if before is None or before[0] or before[2] < top:
            kept = top if before is None or before[0] else max(top, before[2])
            changes.append((key, 0, "", kept, stamp.isoformat()))
    connection.executemany(_UPSERT_SHOW, changes)

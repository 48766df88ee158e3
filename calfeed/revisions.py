"""Revisions: each event's SEQUENCE and LAST-MODIFIED, kept across reloads and restarts in SQLite.

Calendar clients keep an event they have seen until its SEQUENCE rises (Google Calendar kept
an old time otherwise), so a changed airing must get a higher number than any served before,
even after the server restarts. The store remembers, per event UID, a fingerprint of what the
event says; a different fingerprint on a later load raises the sequence and stamps the time.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .model import Airing

UTC = timezone.utc

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
"""


@dataclass(frozen=True)
class Revision:
    sequence: int
    modified: datetime


def fingerprint(airing: Airing) -> str:
    """What an event shows: its times, titles, release and links. Equal data, equal print."""
    parts = [airing.start.astimezone(UTC).isoformat(), airing.end.astimezone(UTC).isoformat(),
             repr(sorted(airing.show.title.items())), repr(sorted(airing.episode.titles.items())),
             airing.release.name, airing.release.kind, airing.release.url or "",
             repr(sorted(airing.show.links.items())), str(airing.moved), str(airing.shifted)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


class RevisionStore:
    """The SQLite file that remembers every event's revision; opened per load, never shared."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    def record(self, airings: Iterable[Airing], version: str,
               now: datetime) -> tuple[dict[str, Revision], datetime]:
        """Revisions for these airings, raising those that changed; and the version's first load.

        One transaction with a write lock (BEGIN IMMEDIATE), so processes loading the same data
        at once agree on the numbers instead of raising a sequence twice.
        """
        stamp = now.astimezone(UTC).replace(microsecond=0)
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.executescript(_SCHEMA)
            connection.execute("BEGIN IMMEDIATE")
            known = {uid: (fp, seq, modified) for uid, fp, seq, modified in connection.execute(
                "SELECT uid, fingerprint, sequence, modified FROM event_revision")}
            revisions, changes = {}, []
            for airing in airings:
                print_now = fingerprint(airing)
                before = known.get(airing.uid)
                if before is None:
                    revisions[airing.uid] = Revision(0, stamp)
                    changes.append((airing.uid, print_now, 0, stamp.isoformat()))
                elif before[0] != print_now:
                    revisions[airing.uid] = Revision(before[1] + 1, stamp)
                    changes.append((airing.uid, print_now, before[1] + 1, stamp.isoformat()))
                else:
                    revisions[airing.uid] = Revision(before[1], datetime.fromisoformat(before[2]))
            connection.executemany(
                "INSERT INTO event_revision (uid, fingerprint, sequence, modified) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(uid) DO UPDATE SET fingerprint=excluded."
                "fingerprint, sequence=excluded.sequence, modified=excluded.modified", changes)
            connection.execute("INSERT OR IGNORE INTO data_version VALUES (?, ?)",
                               (version, stamp.isoformat()))
            first_loaded = datetime.fromisoformat(connection.execute(
                "SELECT first_loaded FROM data_version WHERE version = ?", (version,)
            ).fetchone()[0])
            connection.execute("COMMIT")
        finally:
            connection.close()
        return revisions, first_loaded

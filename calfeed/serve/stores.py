"""What the service asks of its two stores, whichever backend keeps them (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Protocol, runtime_checkable

from ..calendars.rules import Limits, Stored
from ..publish.revisions import Revision, Snapshot


@runtime_checkable
class Revisions(Protocol):
    """Each event's SEQUENCE and LAST-MODIFIED, and the last good schedules: implemented by
    `publish.revisions.RevisionStore` (a SQLite file) and `publish.pg_revisions.PgRevisionStore`
    (shared by instances); `revision_store.StateStore` turns their faults into `StoreFault`."""

    def record(self, airings: Iterable, version: str,
               now: datetime) -> tuple[dict[str, Revision], datetime]: ...

    def record_shared(self, prints: Iterable[tuple[str, str]],
                      now: datetime) -> dict[str, Revision]: ...

    def save_snapshot(self, version: str, files: dict[str, bytes],
                      loaded_at: datetime) -> None: ...

    def load_snapshot(self) -> Snapshot | None: ...


@runtime_checkable
class Calendars(Protocol):
    """Personal calendars: implemented by `calendars.store.CalendarStore` (a SQLite file) and
    `calendars.pg_store.PgCalendarStore` (shared by instances). A fault is
    `calendars.faults.Unavailable`; the other refusals are in `calendars.rules`."""

    limits: Limits

    def problem(self) -> str | None: ...

    def close(self) -> None: ...

    def create(self, choices: dict, address: str) -> tuple[str, str]: ...

    def feed(self, feed_id: str) -> Stored | None: ...

    def generation(self, feed_id: str) -> int | None: ...

    def by_edit_key(self, edit_key: str) -> Stored | None: ...

    def replace(self, edit_key: str, choices: dict, generation: int | None = None) -> bool: ...

    def delete(self, edit_key: str) -> bool: ...

    def reclaim(self, now: float | None = None) -> int: ...

    def disk_use(self) -> int: ...

    def backup(self, target: str) -> int: ...

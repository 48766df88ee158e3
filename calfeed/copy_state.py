"""`calfeed db copy`: an installation's SQLite files (revisions, calendars) copied into PostgreSQL.

Rows go over as they are: the same feed ids and edit-key hashes (every secret link keeps
working), the same SEQUENCE, LAST-MODIFIED and first-load times (every feed keeps its bytes).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .database import CALENDAR_LOCK, REVISION_LOCK, Database

# Table and columns, in the order they are copied; the same names in both backends.
STATE_TABLES = {
    "event_revision": ("uid", "fingerprint", "sequence", "modified"),
    "data_version": ("version", "first_loaded"),
    "show_revision": ("show_key", "shared", "fingerprint", "sequence", "modified"),
    "last_good": ("id", "version", "loaded_at"),
    "last_good_file": ("name", "content"),
    "sequence_base": ("id", "base"),
}
CALENDAR_TABLES = {
    "calendar": ("feed_id", "edit_hash", "generation", "choices", "deleted", "edited"),
    "creation": ("address_hash", "at"),
}


class CopyRefused(Exception):
    """The copy would overwrite something, or has nothing to copy: said with what to do."""


@dataclass
class Copied:
    rows: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)   # files not found, for the report


def copy_to(database: Database, state_path: str, calendars_path: str, *,
            force: bool = False) -> Copied:
    """Copy both files into `database` in one transaction; a database holding calendars or
    revisions already is refused unless `force` (which replaces what it holds)."""
    copied = Copied()
    sources = {}
    for path, tables in ((state_path, STATE_TABLES), (calendars_path, CALENDAR_TABLES)):
        if Path(path).is_file():
            sources[path] = tables
        else:
            copied.missing.append(path)
    if not sources:
        raise CopyRefused(f"neither {state_path} nor {calendars_path} exists: name the files "
                          "with --state and --calendars")
    with database.transaction() as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (REVISION_LOCK,))
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (CALENDAR_LOCK,))
        held = {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("calendar", "event_revision", "show_revision", "last_good")}
        if any(held.values()) and not force:
            raise CopyRefused(
                f"{database.shown} already holds " + ", ".join(
                    f"{count} {table} row(s)" for table, count in held.items() if count) +
                ": copying would mix two installations; give --force to replace what it holds")
        tables = [*STATE_TABLES, *CALENDAR_TABLES]
        connection.execute(f"TRUNCATE {', '.join(tables)}")
        for path, wanted in sources.items():
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                for table, columns in wanted.items():
                    copied.rows[table] = _copy_table(source, connection, table, columns)
            finally:
                source.close()
    return copied


def _copy_table(source: sqlite3.Connection, connection, table: str, columns) -> int:
    present = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
    if not present:
        return 0        # a file from before the table existed
    # A column an older file lacks (a calendar's edit time) is copied as NULL.
    chosen = ", ".join(name if name in present else "NULL" for name in columns)
    rows = source.execute(f"SELECT {chosen} FROM {table}").fetchall()
    if rows:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               rows)
    return len(rows)

"""What the PostgreSQL calendar store does its own way: old rows reclaimed with a JSON test of
its own, the size on disk as the server counts it, backups left to pg_dump, a feed served from
what a worker last read while the database is away."""

from __future__ import annotations

import time

import pytest

from calfeed.database import Database
from calfeed.calendars.rules import LimitReached, Limits
from calfeed.calendars.pg_store import PgCalendarStore
from calfeed.calendars.faults import Unavailable

CHOICES = {"region": "JP", "shows": {"metallic-rouge": None}, "lang": None, "alarms": []}
DAY = 86400


@pytest.fixture
def database(postgres_cluster):
    database = Database(postgres_cluster.new_database(), connect_timeout=1)
    yield database
    database.close()


def test_reclaim_reads_the_stored_json_its_own_way(database):
    """The rules are the SQLite store's (tests/test_calendar_storage.py); PostgreSQL finds a
    calendar without a show by its own JSON operators."""
    store = PgCalendarStore(database)
    kept_id, _ = store.create(CHOICES, "192.0.2.1")
    empty_id, empty_key = store.create(CHOICES, "192.0.2.2")
    gone_id, gone_key = store.create(CHOICES, "192.0.2.3")
    store.replace(empty_key, {**CHOICES, "shows": {}})
    store.delete(gone_key)
    assert store.reclaim(time.time() + 200 * DAY) == 2
    assert store.feed(empty_id) is None and store.feed(gone_id) is None
    assert store.feed(kept_id) is not None


def test_the_size_limit_is_the_tables_size_on_the_server(database):
    store = PgCalendarStore(database, Limits(creations_per_hour=10 ** 6))
    before = store.disk_use()
    for n in range(200):
        store.create({**CHOICES, "lang": "x" * 2000}, f"192.0.2.{n % 250}")
    assert store.disk_use() > before + 200 * 1000
    capped = PgCalendarStore(database, Limits(max_total_bytes=store.disk_use() + 100))
    with pytest.raises(LimitReached, match="storage"):
        capped.create({**CHOICES, "lang": "x" * 500}, "198.51.100.1")


def test_a_backup_is_the_databases_own(database):
    with pytest.raises(Unavailable, match="pg_dump"):
        PgCalendarStore(database).backup("/nonexistent/calendars.sqlite3")


def test_a_worker_serves_what_it_last_read_while_the_database_is_away(database, postgres_cluster):
    store = PgCalendarStore(database)
    read_id, _ = store.create(CHOICES, "192.0.2.1")
    unread_id, _ = store.create(CHOICES, "192.0.2.2")
    seen = store.feed(read_id)
    # The same database through a URL whose password is refused: as if it went away.
    database.url = database.url.replace(":s3cret", ":refused")
    database.close()
    time.sleep(1.1)         # past the second a generation is trusted
    assert store.generation(read_id) == seen.generation
    assert store.feed(read_id) == seen
    with pytest.raises(Unavailable, match="try again shortly"):
        store.feed(unread_id)
    with pytest.raises(Unavailable, match="try again shortly"):
        store.create(CHOICES, "192.0.2.3")
    assert database.fault is not None and "refused" not in database.fault


def test_the_calendars_commands_use_the_database_when_it_is_set(database, monkeypatch,
                                                                tmp_path):
    from click.testing import CliRunner

    from calfeed.cli import cli
    monkeypatch.setenv("CALFEED_DATABASE_URL", database.url)
    PgCalendarStore(database).create(CHOICES, "192.0.2.1")
    reclaimed = CliRunner().invoke(cli, ["calendars", "reclaim"])
    assert reclaimed.exit_code == 0, reclaimed.output
    assert "0 calendar row(s) reclaimed" in reclaimed.output
    backup = CliRunner().invoke(cli, ["calendars", "backup", str(tmp_path / "copy.sqlite3")])
    assert backup.exit_code == 1 and "pg_dump" in backup.output
    assert not (tmp_path / "copy.sqlite3").exists()

"""PostgreSQL as the shared database: migrations recorded and run once however many instances
start together, the revision state kept there, its password never shown."""

from __future__ import annotations

import logging
import threading

import psycopg
import pytest

from calfeed.config import SettingError, load_config
from calfeed.database import Database, migrate, migrations, shown
from calfeed.web import state
from tests.postgres import PASSWORD, wait_until
from tests.conftest import SAME_ORIGIN


def test_the_migrations_are_numbered_in_order_without_gaps():
    versions = [version for version, _, _ in migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_migrations_run_once_and_record_the_schema_version(postgres_cluster):
    url = postgres_cluster.new_database()
    with psycopg.connect(url, autocommit=True) as connection:
        assert migrate(connection) == [v for v, _, _ in migrations()]
        assert migrate(connection) == []
        recorded = [row[0] for row in connection.execute(
            "SELECT version FROM schema_version ORDER BY version")]
    assert recorded == [v for v, _, _ in migrations()]


def test_instances_starting_together_apply_each_migration_once(postgres_cluster):
    url = postgres_cluster.new_database()
    applied, errors = [], []
    start = threading.Barrier(6)

    def one_instance():
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                start.wait()
                applied.extend(migrate(connection))
        except Exception as exc:     # reported below: a failed start is the failure
            errors.append(exc)
    threads = [threading.Thread(target=one_instance) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(applied) == [v for v, _, _ in migrations()]


def test_with_a_database_url_the_revisions_live_there_not_in_instance(postgres_cluster,
                                                                       make_app, tmp_path):
    url = postgres_cluster.new_database()
    app = make_app(DATABASE_URL=url)
    assert app.test_client().get("/feeds/us/metallic-rouge.ics").status_code == 200
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT COUNT(*) FROM event_revision").fetchone()[0]
        kept = connection.execute("SELECT version FROM last_good").fetchone()[0]
    assert rows > 0
    assert kept == state.service(app).published.catalogue.version
    assert not (tmp_path / "state.sqlite3").exists()


def test_a_url_that_names_no_database_is_refused_at_start_without_its_password(monkeypatch):
    monkeypatch.setenv("CALFEED_DATABASE_URL", "mysql://calfeed:hunter2@db/calfeed")
    with pytest.raises(SettingError) as refused:
        load_config()
    assert "CALFEED_DATABASE_URL" in str(refused.value)
    assert "hunter2" not in str(refused.value)
    assert "postgresql://user:password@host:port/database" in str(refused.value)


def test_the_password_is_never_shown():
    assert shown("postgresql://calfeed:p%40ss@db:5432/calfeed") == \
        "postgresql://calfeed:***@db:5432/calfeed"
    assert shown("postgresql://db/calfeed?user=calfeed&password=pw&sslmode=require") == \
        "postgresql://db/calfeed?user=calfeed&password=***&sslmode=require"
    assert "pw" not in Database("postgresql://db/c?password=pw").reason(RuntimeError("pw"))
    database = Database("postgresql://calfeed:p@ss@db/calfeed")
    assert "p@ss" not in database.reason(RuntimeError("auth failed with p@ss"))


def test_credentials_stay_out_of_logs_healthz_and_error_pages(postgres_cluster, make_app,
                                                             caplog):
    # A wrong password: the server refuses, and what calfeed says names neither.
    wrong = "Wr0ng-Pw-never-shown"
    url = postgres_cluster.url(postgres_cluster.new_database().rpartition("/")[2], wrong)
    caplog.set_level(logging.INFO)
    refused = make_app(DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT_SECONDS=1,
                       TESTING=False).test_client()
    refused.environ_base.update(SAME_ORIGIN)
    health = refused.get("/healthz")
    created = refused.post("/calendars", data={"region": "us", "show": "metallic-rouge"})
    feed = refused.get("/feeds/us/metallic-rouge.ics")
    # Closed now, so that whatever the pool logs as it ends is in what is checked below.
    state.service(refused.application).database.close()
    assert health.json["database"] == "unreachable" and health.json["status"] == "degraded"
    assert "password authentication failed" in health.json["details"]["state_database"]
    assert feed.status_code == 200
    assert created.status_code == 503 and created.headers["Retry-After"] == "5"
    assert "try again shortly" in created.get_data(as_text=True)
    said = health.get_data(as_text=True) + created.get_data(as_text=True) + caplog.text
    assert "calfeed:***@127.0.0.1" in said
    for secret in (wrong, PASSWORD):
        assert secret not in said


def test_a_user_that_cannot_create_the_tables_is_said_on_healthz_not_a_crash(postgres_cluster,
                                                                             make_app):
    url = postgres_cluster.new_database()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS reader")
        connection.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
    limited = url.replace(f"calfeed:{PASSWORD}@", "reader:reader-pw@")
    reader = make_app(DATABASE_URL=limited, DATABASE_CONNECT_TIMEOUT_SECONDS=1).test_client()
    assert reader.get("/feeds/us/metallic-rouge.ics").status_code == 200
    health = reader.get("/healthz").json
    assert health["status"] == "degraded" and health["database"] == "unreachable"
    assert "permission denied" in health["details"]["state_database"]
    assert "must be able to create tables" in health["details"]["state_database"]


def sequences(client) -> dict[str, int]:
    from icalendar import Calendar
    body = client.get("/feeds/us/metallic-rouge.ics").data
    return {str(e["UID"]): int(e["SEQUENCE"]) for e in Calendar.from_ical(body).walk("VEVENT")}


def test_a_start_while_the_database_refuses_serves_and_numbers_never_go_lower(
        postgres_cluster, make_app, schedules):
    from tests.test_revisions import skip_a_week
    url = postgres_cluster.new_database()
    name = url.rpartition("/")[2]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS flaky")
        admin.execute("CREATE ROLE flaky LOGIN PASSWORD 'flaky-pw'")
        admin.execute(f'ALTER DATABASE "{name}" OWNER TO flaky')
        flaky = url.replace(f"calfeed:{PASSWORD}@", "flaky:flaky-pw@")
        first = make_app(schedules, DATABASE_URL=flaky)
        skip_a_week(schedules)
        with first.app_context():
            assert state.service(first).reload()
        served = sequences(first.test_client())
        assert max(served.values()) == 1
        state.service(first).database.close()
        admin.execute("ALTER ROLE flaky NOLOGIN")       # the database refuses this service
        second = make_app(schedules, DATABASE_URL=flaky, RELOAD_INTERVAL=0.2,
                          RELOAD_SETTLE_SECONDS=0, DATABASE_CONNECT_TIMEOUT_SECONDS=1)
        client = second.test_client()
        during = sequences(client)
        assert client.get("/healthz").json["database"] == "unreachable"
        admin.execute("ALTER ROLE flaky LOGIN")
    assert all(during[uid] >= served[uid] for uid in served)
    assert wait_until(lambda: client.get("/healthz").json["status"] == "ok", timeout=30)
    after = sequences(client)
    assert all(after[uid] >= during[uid] for uid in during)
    assert after != served          # numbered above what was served from memory meanwhile

"""`calfeed db copy --to URL`: an installation moved from its SQLite files into PostgreSQL keeps
every feed's bytes and every calendar's secret links; a database in use is not overwritten."""

from __future__ import annotations

from datetime import datetime, timezone

from click.testing import CliRunner

from calfeed.cli import cli
from calfeed.web import state
from tests.conftest import fixed_clock
from tests.postgres import PASSWORD
from tests.test_my_calendar import made, token
from tests.test_revisions import T1, skip_a_week

LATER = datetime(2024, 3, 1, tzinfo=timezone.utc)
FEED = "/feeds/us/metallic-rouge.ics"


def test_a_copied_installation_serves_the_same_bytes_and_links_from_postgres(
        make_app, schedules, tmp_path, postgres_cluster):
    sqlite_app = make_app(schedules, CALENDARS_PATH=str(tmp_path / "calendars.sqlite3"))
    skip_a_week(schedules)
    state.service(sqlite_app).clock = fixed_clock(T1)
    with sqlite_app.app_context():
        assert state.service(sqlite_app).reload()
    client = sqlite_app.test_client()
    edit_path, feed_path = made(client, show="metallic-rouge", release="metallic-rouge:fod")
    assert client.post(edit_path, data={"region": "jp", "show": "metallic-rouge",
                                        "csrf_token": token(client)}).status_code == 303
    before = {path: client.get(path).data for path in (FEED, feed_path)}
    assert b"SEQUENCE:1" in before[FEED]

    url = postgres_cluster.new_database()
    copy = ["db", "copy", "--to", url, "--state", str(tmp_path / "state.sqlite3"),
            "--calendars", str(tmp_path / "calendars.sqlite3")]
    result = CliRunner().invoke(cli, copy)
    assert result.exit_code == 0, result.output
    assert "1 calendar" in result.output and PASSWORD not in result.output

    moved = make_app(schedules, DATABASE_URL=url, CLOCK=fixed_clock(LATER),
                     STATE_PATH=str(tmp_path / "new" / "state.sqlite3"),
                     CALENDARS_PATH=str(tmp_path / "new" / "calendars.sqlite3")).test_client()
    assert {path: moved.get(path).data for path in before} == before
    assert moved.get(edit_path).status_code == 200
    assert moved.post(edit_path, data={"region": "us", "show": "metallic-rouge",
                                       "csrf_token": token(moved)}).status_code == 303
    assert b"SEQUENCE:" in moved.get(feed_path).data

    # The database is now in use: a second copy would mix two installations.
    again = CliRunner().invoke(cli, copy)
    assert again.exit_code == 1
    assert "already holds" in again.output and "--force" in again.output
    assert PASSWORD not in again.output
    assert moved.get(feed_path).data != before[feed_path]      # the edit was kept
    forced = CliRunner().invoke(cli, [*copy, "--force"])
    assert forced.exit_code == 0, forced.output


def test_a_copy_without_files_says_which_it_looked_for(tmp_path, postgres_cluster):
    result = CliRunner().invoke(cli, ["db", "copy", "--to", postgres_cluster.new_database(),
                                      "--state", str(tmp_path / "none.sqlite3"),
                                      "--calendars", str(tmp_path / "nor.sqlite3")])
    assert result.exit_code == 1
    assert "none.sqlite3" in result.output and "--state" in result.output


def test_a_copy_to_a_url_that_is_not_postgresql_is_refused_without_its_password(tmp_path):
    result = CliRunner().invoke(cli, ["db", "copy", "--to", "mysql://u:hunter2@db/x"])
    assert result.exit_code == 2
    assert "--to" in result.output and "hunter2" not in result.output

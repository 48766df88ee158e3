"""Backing up, restoring and moving the personal calendars: the online backup command, and the
write-ahead log folded into the file at a clean stop."""

from __future__ import annotations

import shutil
import sqlite3

from calfeed.cli import cli
from tests.test_my_calendar import made


def calendars_in(path) -> int:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return db.execute("SELECT COUNT(*) FROM calendar").fetchone()[0]
    finally:
        db.close()


def test_the_backup_command_copies_every_calendar_while_the_service_runs(
        make_app, two_shows, tmp_path, monkeypatch):
    path = tmp_path / "calendars.sqlite3"
    app = make_app(two_shows, CALENDARS_PATH=str(path))
    client = app.test_client()
    calendars = [made(client, show=show) for show in ("metallic-rouge",
                                                     "escapes-and-long-japanese-titles")]
    assert (tmp_path / "calendars.sqlite3-wal").stat().st_size > 0   # still in the log
    monkeypatch.setenv("CALFEED_CALENDARS_PATH", str(path))
    result = app.test_cli_runner().invoke(cli, ["calendars", "backup",
                                                str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 calendar(s) copied to ")
    assert calendars_in(tmp_path / "copy.sqlite3") == 2
    # Restored (or moved) elsewhere: the same feed URLs and edit links work.
    moved = tmp_path / "elsewhere" / "calendars.sqlite3"
    moved.parent.mkdir()
    shutil.copy(tmp_path / "copy.sqlite3", moved)
    restored = make_app(two_shows, CALENDARS_PATH=str(moved)).test_client()
    for edit_path, feed_path in calendars:
        assert restored.get(feed_path).status_code == 200
        assert restored.get(edit_path).status_code == 200


def test_the_backup_command_says_what_is_wrong(tmp_path, monkeypatch):
    from click.testing import CliRunner
    monkeypatch.setenv("CALFEED_CALENDARS_PATH", str(tmp_path / "none.sqlite3"))
    result = CliRunner().invoke(cli, ["calendars", "backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 1 and "no calendars file at" in result.output
    assert "CALFEED_CALENDARS_PATH" in result.output


def test_reclaim_says_what_it_dropped_and_the_space_used(make_app, two_shows,
                                                         tmp_path, monkeypatch):
    path = tmp_path / "calendars.sqlite3"
    client = make_app(two_shows, CALENDARS_PATH=str(path)).test_client()
    made(client)
    monkeypatch.setenv("CALFEED_CALENDARS_PATH", str(path))
    from click.testing import CliRunner
    result = CliRunner().invoke(cli, ["calendars", "reclaim"])
    assert result.exit_code == 0, result.output
    assert "0 calendar row(s) reclaimed;" in result.output
    assert "bytes used of CALFEED_CALENDARS_MAX_BYTES=200,000,000" in result.output


def test_a_clean_stop_leaves_every_calendar_in_the_file_itself(tmp_path):
    """As reproduced: after a clean stop, calendars were only in calendars.sqlite3-wal, and a
    plain copy of the main file held none of them."""
    import urllib.parse
    import urllib.request
    from bench.loopback import free_port, wait_for
    from tests.test_production_server import serve, stop
    path = tmp_path / "calendars.sqlite3"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_WORKERS": "2",
                     "CALFEED_IMPORT": "0", "CALFEED_CALENDARS_PATH": str(path)},
                    tmp_path / "server.log")
    try:
        wait_for(f"{base}/calendars/new?region=jp", process)
        for _ in range(3):
            # As a browser sends the form from calfeed's own page: its Origin names it.
            body = urllib.parse.urlencode({"region": "jp", "show": "metallic-rouge"}).encode()
            request = urllib.request.Request(f"{base}/calendars", data=body,
                                             headers={"Origin": base})
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 200       # the edit page, after the 303
        assert calendars_in(path) == 3
    finally:
        stop(process)
    assert process.returncode == 0, (tmp_path / "server.log").read_text()
    copy = tmp_path / "plain-copy.sqlite3"
    shutil.copy(path, copy)         # the main file alone, as `cp` would take it
    assert calendars_in(copy) == 3
    wal = tmp_path / "calendars.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_backup_to_a_folder_that_is_not_there_says_so(make_app, two_shows,
                                                        tmp_path, monkeypatch):
    path = tmp_path / "calendars.sqlite3"
    made(make_app(two_shows, CALENDARS_PATH=str(path)).test_client())
    monkeypatch.setenv("CALFEED_CALENDARS_PATH", str(path))
    from click.testing import CliRunner
    result = CliRunner().invoke(cli, ["calendars", "backup", str(tmp_path / "no" / "b.db")])
    assert result.exit_code == 1 and "cannot write" in result.output, result.output

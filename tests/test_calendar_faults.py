"""Faults of the personal calendars' file: damaged, read-only, full, locked. Each is a 503 with
Retry-After on calendar routes only, said once in the log and on /healthz; the rest serves."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import threading
from contextlib import contextmanager

import pytest

from calfeed.calendars import sqlite_file as calendar_sqlite
from calfeed.web import state
from tests.test_my_calendar import create, made, token
from tests.tools import require

PUBLIC = ("/feeds/jp/metallic-rouge.ics", "/api/v1/shows", "/shows/metallic-rouge", "/week")


@pytest.fixture
def make(make_app, two_shows, tmp_path):
    def make_one(**config):
        return make_app(two_shows, TESTING=False, RESPONSE_CACHE_SECONDS=0,
                        CALENDARS_PATH=str(tmp_path / "calendars.sqlite3"), **config)
    return make_one


def health(client) -> dict:
    return client.get("/healthz").get_json()


def a_calendar(tmp_path, make) -> tuple[str, str]:
    client = make().test_client()
    return made(client)


def damage(path, how: str) -> bytes:
    if how == "random bytes":
        path.write_bytes(os.urandom(64 * 1024))
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    else:
        path.write_text("calendars, as a spreadsheet someone saved over the file\n" * 100)
    return path.read_bytes()


def check_unavailable(answer, retry_after: int | None = None) -> None:
    assert answer.status_code == 503, answer.text
    assert "personal calendars" in answer.text and "try again" in answer.text
    assert answer.headers["Retry-After"].isdigit()
    if retry_after is not None:
        assert int(answer.headers["Retry-After"]) == retry_after


@pytest.mark.parametrize("how", ["random bytes", "truncated", "not a database"])
def test_a_damaged_file_at_start_is_set_aside_and_only_calendar_routes_answer_503(
        make, tmp_path, how):
    path = tmp_path / "calendars.sqlite3"
    edit_path, feed_path = a_calendar(tmp_path, make)
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    damaged = damage(path, how)

    client = make().test_client()      # raised sqlite3.DatabaseError before: no service at all
    for public in PUBLIC:
        assert client.get(public).status_code == 200, public
    for answer in (client.get(feed_path), client.get(edit_path),
                   create(client, show="metallic-rouge")):
        check_unavailable(answer, 300)
    report = health(client)
    assert report["status"] == "degraded" and report["calendars"] == "fault"
    assert "damaged" in report["details"]["calendars"]
    # Kept for recovery, byte for byte, under a name an operator finds, with a note saying what
    # to do; nothing new was made in its place.
    aside = [p for p in tmp_path.glob("calendars.sqlite3.damaged-*")
             if not p.name.endswith(("-wal", "-shm"))]
    assert [p.read_bytes() for p in aside] == [damaged]
    note = (tmp_path / "calendars.sqlite3.damaged.txt").read_text()
    assert aside[0].name in note and "restore" in note and "docs/deploy.md" in note
    assert not path.exists()


def test_while_the_note_is_there_no_worker_starts_a_new_file_and_removing_it_restores(
        make, tmp_path, monkeypatch):
    path = tmp_path / "calendars.sqlite3"
    edit_path, feed_path = a_calendar(tmp_path, make)
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    backup = path.read_bytes()
    damage(path, "random bytes")
    first, second = make().test_client(), make().test_client()
    check_unavailable(second.get(feed_path))
    assert not path.exists()
    # The operator restores the backup and removes the note: calendars come back without a
    # restart, once the workers look again.
    path.write_bytes(backup)
    (tmp_path / "calendars.sqlite3.damaged.txt").unlink()
    monkeypatch.setattr(calendar_sqlite, "RECHECK_SECONDS", 0)
    for client in (first, second):
        assert client.get(feed_path).status_code == 200
        assert health(client)["status"] == "ok"


def test_a_file_damaged_while_serving_is_a_503_not_a_500(make, tmp_path):
    """A worker already serving meets the damage on its next new connection (a thread of its
    own): a 503 saying so and /healthz degraded, never a 500; the file is set aside only at
    the next start, when no worker holds it open."""
    app = make()
    client = app.test_client()
    edit_path, feed_path = made(client)
    state.service(app).calendars.close()
    (tmp_path / "calendars.sqlite3").write_bytes(os.urandom(64 * 1024))
    answers = []
    thread = threading.Thread(target=lambda: answers.append(client.get(feed_path)))
    thread.start()
    thread.join(30)
    check_unavailable(answers[0], 300)
    assert client.get("/feeds/jp/metallic-rouge.ics").status_code == 200
    report = health(client)
    assert report["calendars"] == "fault" and "damaged" in report["details"]["calendars"]
    assert (tmp_path / "calendars.sqlite3").exists()          # not moved under a worker
    check_unavailable(make().test_client().get(feed_path), 300)    # the next start: set aside
    assert list(tmp_path.glob("calendars.sqlite3.damaged-*"))


def test_under_granian_a_damaged_file_at_start_leaves_the_service_up(tmp_path):
    """As reproduced: random bytes in calendars.sqlite3, then `make run`: workers crashed in
    CalendarStore.__init__ until granian gave up, and nothing was served."""
    from bench.loopback import fetch, free_port, wait_for
    from tests.test_production_server import serve, stop
    path = tmp_path / "calendars.sqlite3"
    path.write_bytes(os.urandom(32 * 1024))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_WORKERS": "2",
                     "CALFEED_CALENDARS_PATH": str(path)}, tmp_path / "server.log")
    try:
        assert wait_for(f"{base}/feeds/us/metallic-rouge.ics", process).count(b"BEGIN:VEVENT")
        for _ in range(4):      # whichever worker answers
            status, headers, body = fetch(f"{base}/feeds/my/0123456789abcdefghijkl.ics")
            assert status == 503 and headers["Retry-After"] == "300", body
            assert b"personal calendars are unavailable" in body
            status, _, body = fetch(f"{base}/healthz")
            assert status == 200 and b'"calendars": "fault"' in body
        assert process.poll() is None
    finally:
        stop(process)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and log.count("was damaged") == 1, log
    assert len(list(tmp_path.glob("calendars.sqlite3.damaged-*"))) == 1


# --- faults met while serving: read-only, full, locked -------------------------------------

def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "calfeed.calendars" and r.levelno >= logging.ERROR]


@contextmanager
def read_only(path):
    """The file made immutable (`chattr +i`, as reproduced: root cannot write it either), or
    read-only by its mode where the tests do not run as root."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        path.chmod(0o644)
        return
    chattr = require("chattr", "apt-get install e2fsprogs")
    subprocess.run([chattr, "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_a_read_only_file_is_a_503_logged_once_and_on_healthz_until_it_clears(
        make, tmp_path, caplog, monkeypatch):
    from calfeed.calendars import faults as store_faults
    first = make()
    edit_path, feed_path = made(first.test_client())
    state.service(first).calendars.close()
    with read_only(tmp_path / "calendars.sqlite3"):
        client = make().test_client()        # a new worker: it opens the file read-only
        caplog.set_level(logging.WARNING, "calfeed.calendars")
        for _ in range(5):
            check_unavailable(create(client, show="metallic-rouge"), 60)
            check_unavailable(client.post(edit_path, data={
                "region": "jp", "show": "metallic-rouge", "csrf_token": token(client)}), 60)
            assert client.get(feed_path).status_code == 200      # reads still work
        report = health(client)
        assert report["status"] == "degraded" and "read-only" in report["details"]["calendars"]
        assert len(errors_logged(caplog)) == 1, errors_logged(caplog)
    assert create(client, show="metallic-rouge").status_code == 303     # the same worker
    assert health(client)["status"] == "degraded"       # until a quiet spell has passed
    monkeypatch.setattr(store_faults, "QUIET_SECONDS", 0)
    assert create(client, show="metallic-rouge").status_code == 303
    assert health(client)["status"] == "ok"


def test_a_full_disk_is_a_503_not_a_500(make, tmp_path, monkeypatch):
    """SQLite's own 'database or disk is full' (SQLITE_FULL), reached by capping the pages a
    connection may use, as a full disk would stop the file growing."""
    client = make().test_client()
    made(client)
    connect = calendar_sqlite.SQLiteFile._connect

    def capped(store):
        db = connect(store)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db
    monkeypatch.setattr(calendar_sqlite.SQLiteFile, "_connect", capped)
    full = make(CALENDAR_CREATIONS_PER_HOUR=1000).test_client()
    answers = [create(full, show="metallic-rouge", lang="ja" if n % 2 else "")
               for n in range(40)]
    assert {a.status_code for a in answers} <= {303, 503}
    refused = [a for a in answers if a.status_code == 503]
    assert refused, "the capped file never filled"
    check_unavailable(refused[0], 60)
    assert "disk is full" in refused[0].text
    assert "disk full" in health(full)["details"]["calendars"]


def test_a_save_waiting_on_another_process_s_lock_is_a_503_and_reads_do_not_wait(make,
                                                                                  tmp_path):
    import time
    client = make().test_client()
    edit_path, feed_path = made(client)
    from tests.test_calendar_storage import hold_write_lock
    release = hold_write_lock(str(tmp_path / "calendars.sqlite3"))
    try:
        started = time.monotonic()
        assert client.get(feed_path).status_code == 200
        assert time.monotonic() - started < 0.9          # a read never waits for the 1 s lock
        answer = create(client, show="metallic-rouge")
        check_unavailable(answer, 2)
        assert "busy" in answer.text and "database is locked" not in answer.text
    finally:
        release.set()
    time.sleep(0.2)
    assert create(client, show="metallic-rouge").status_code == 303

"""Faults around what is served: a broken state database, an emptied folder, a file caught
mid-write, workers on different versions. Each test first reproduces the fault."""

from __future__ import annotations

import functools
import re
import shutil
import sqlite3
import threading
import time
from datetime import datetime, timezone

import pytest

from calfeed.serve.load import SHRINK_MARKER
from calfeed.web import state
from calfeed.serve.reloader import Reloader
from tests.conftest import SCHEDULE_FIXTURES, fixed_clock

FEED = "/feeds/us/metallic-rouge.ics"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def make(make_on_copy):
    # Fault tests look at what Flask answers, not at the response cache in front of it.
    return functools.partial(make_on_copy, RESPONSE_CACHE_SECONDS=0)


def sequences(body: bytes) -> dict[str, int]:
    text = body.decode().replace("\r\n ", "")
    return {uid: int(seq) for uid, seq in re.findall(r"UID:(\S+)\r\n(?:.*\r\n)*?SEQUENCE:(\d+)",
                                                    text)}


def health(app, **headers) -> dict:
    response = app.test_client().get("/healthz", headers=headers)
    return {"http": response.status_code, **response.get_json()}


def edit(schedules, old: str, new: str) -> None:
    path = schedules / "metallic-rouge.yaml"
    path.write_text(path.read_text().replace(old, new))


def never_lower(before: dict[str, int], after: dict[str, int]) -> bool:
    return all(after[uid] >= seq for uid, seq in before.items() if uid in after)


# --- a broken state database -------------------------------------------------------------

def test_a_corrupt_database_at_start_is_moved_aside_and_numbers_do_not_go_back(make, tmp_path,
                                                                                schedules):
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (1),")
    first = make()
    edit(schedules, "{en: Marginal City (1),", "{en: Marginal City (2),")
    with first.app_context():
        assert state.service(first).reload()
    served = sequences(first.test_client().get(FEED).data)
    assert max(served.values()) == 1
    (tmp_path / "state.sqlite3").write_bytes(b"\x8f garbage " * 5000)
    restarted = make()      # crashed on sqlite3.DatabaseError before
    body = restarted.test_client().get(FEED)
    assert body.status_code == 200 and body.data.count(b"BEGIN:VEVENT") == 13
    assert never_lower(served, sequences(body.data))
    aside = list(tmp_path.glob("state.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"\x8f garbage")
    assert health(restarted)["status"] == "ok"


def test_a_database_corrupted_while_running_is_replaced_at_the_next_load(make, tmp_path,
                                                                         schedules):
    app = make()
    served = sequences(app.test_client().get(FEED).data)
    (tmp_path / "state.sqlite3").write_bytes(b"not a database" * 1000)
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (new),")
    with app.app_context():
        assert state.service(app).reload()
    body = app.test_client().get(FEED).data
    assert b"Marginal City (new)" in body and never_lower(served, sequences(body))


def hold_the_write_lock(path, seconds: float) -> threading.Event:
    """Another process's `BEGIN EXCLUSIVE`, held for `seconds` or until set."""
    release, held = threading.Event(), threading.Event()

    def holder():
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        held.set()
        release.wait(seconds)
        connection.execute("ROLLBACK")
        connection.close()
    threading.Thread(target=holder, daemon=True).start()
    held.wait(5)
    return release


def test_a_locked_database_keeps_serving_says_so_and_the_load_is_retried(make, tmp_path,
                                                                          schedules):
    app = make(RELOAD_INTERVAL=0.2, RELOAD_SETTLE_SECONDS=0)
    client = app.test_client()
    served = client.get(FEED).data
    release = hold_the_write_lock(str(tmp_path / "state.sqlite3"), 40)
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (while locked),")
    started = time.monotonic()
    while health(app)["state_database"] == "ok" and time.monotonic() - started < 30:
        assert client.get(FEED).data == served      # answered at once, old data meanwhile
        time.sleep(0.05)
    report = health(app)
    assert report["status"] == "degraded" and "locked" in report["details"]["state_database"]
    assert client.get(FEED).data == served
    release.set()
    deadline = time.monotonic() + 30
    while b"(while locked)" not in client.get(FEED).data and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"(while locked)" in client.get(FEED).data     # retried without a folder change
    assert health(app)["status"] == "ok"


def test_a_start_on_a_locked_database_serves_and_recovers(make, tmp_path, schedules):
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (1),")
    first = make()
    edit(schedules, "{en: Marginal City (1),", "{en: Marginal City (2),")
    with first.app_context():
        state.service(first).reload()
    served = sequences(first.test_client().get(FEED).data)
    release = hold_the_write_lock(str(tmp_path / "state.sqlite3"), 40)
    started = time.monotonic()
    second = make(RELOAD_INTERVAL=0.2, RELOAD_SETTLE_SECONDS=0)
    assert time.monotonic() - started < 10
    during = sequences(second.test_client().get(FEED).data)
    assert len(during) == 13 and never_lower(served, during)
    assert health(second)["status"] == "degraded"
    release.set()
    deadline = time.monotonic() + 30
    while health(second)["status"] != "ok" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health(second)["status"] == "ok"
    after = sequences(second.test_client().get(FEED).data)
    assert never_lower(during, after) and never_lower(served, after)


def make_read_only(path) -> None:
    """Read-only for this process, even as root (chattr +i; chmod does not stop root)."""
    import os
    import subprocess
    if os.geteuid() != 0:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        return
    done = subprocess.run(["chattr", "+i", str(path), str(path.parent)], capture_output=True,
                          text=True)
    if done.returncode:
        pytest.skip(f"this file system cannot make a file immutable: {done.stderr.strip()}")


def make_writable(path) -> None:
    import os
    import subprocess
    if os.geteuid() != 0:
        path.parent.chmod(0o755)
        path.chmod(0o644)
    else:
        subprocess.run(["chattr", "-i", str(path), str(path.parent)], check=True)


def test_a_read_only_database_still_serves_and_recovers(tmp_path, schedules, make):
    folder = tmp_path / "state"
    folder.mkdir()
    database = folder / "state.sqlite3"
    config = {"CLOCK": fixed_clock(T0), "STATE_PATH": str(database)}
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (1),")
    first = make(**config)
    edit(schedules, "{en: Marginal City (1),", "{en: Marginal City (2),")
    with first.app_context():
        state.service(first).reload()
    served = sequences(first.test_client().get(FEED).data)
    make_read_only(database)
    try:
        second = make(**config, RELOAD_INTERVAL=0.2, RELOAD_SETTLE_SECONDS=0)
        during = sequences(second.test_client().get(FEED).data)
        assert len(during) == 13 and never_lower(served, during)
        report = health(second)
        assert report["status"] == "degraded" and "readonly" in report["details"][
            "state_database"]
    finally:
        make_writable(database)
    try:
        deadline = time.monotonic() + 30
        while health(second)["status"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert health(second)["status"] == "ok"
        assert never_lower(during, sequences(second.test_client().get(FEED).data))
    finally:
        state.service(second).reloader.stop()


def test_a_state_folder_that_cannot_be_made_still_serves(make, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    app = make(STATE_PATH=str(tmp_path / "a-file" / "state.sqlite3"))
    assert app.test_client().get(FEED).data.count(b"BEGIN:VEVENT") == 13
    report = health(app)
    assert report["status"] == "degraded" and report["state_database"] == "fault"
    assert "cannot be used" in report["details"]["state_database"]


# --- an emptied folder ---------------------------------------------------------------------

def test_an_emptied_folder_is_a_fault_not_an_empty_calendar(make, schedules):
    app = make()
    served = app.test_client().get(FEED).data
    (schedules / "metallic-rouge.yaml").rename(schedules.parent / "moved-away.yaml")
    with app.app_context():
        assert state.service(app).reload() is False
    assert app.test_client().get(FEED).data == served
    # The region feed still has the episodes of its window (to 2024-03-02: 8 of 13).
    assert app.test_client().get("/feeds/us.ics").data.count(b"BEGIN:VEVENT") == 8
    report = health(app)
    assert report["status"] == "degraded" and report["serving"] == "last_good"
    assert "0 schedule file(s) where 1 were served" in report["details"]["errors"][0]
    # A restart does not publish it either: the last good copy is served.
    restarted = make()
    assert restarted.test_client().get(FEED).data.count(b"BEGIN:VEVENT") == 13
    # The operator says the shrink is meant.
    (schedules / SHRINK_MARKER).touch()
    with app.app_context():
        assert state.service(app).reload() is True
    assert app.test_client().get(FEED).status_code == 404


def test_losing_most_shows_is_held_back_but_losing_a_few_is_not(make, schedules):
    for n in range(3):
        shutil.copy(SCHEDULE_FIXTURES / "valid" / "move-one-episode.yaml",
                    schedules / f"extra-{n}.yaml")
    app = make()
    (schedules / "extra-0.yaml").unlink()
    with app.app_context():
        assert state.service(app).reload() is True            # 3 of 4 kept
    (schedules / "extra-1.yaml").unlink()
    (schedules / "extra-2.yaml").unlink()
    with app.app_context():
        assert state.service(app).reload() is False           # 1 of 3 kept


# --- a file caught mid-write ---------------------------------------------------------------

class SteppedTimer:
    """The reloader's timer, moved on by the test: settle periods without sleeping."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    def step(self, seconds: float) -> None:
        self.seconds += seconds


def test_a_change_is_loaded_only_once_the_folder_settled(schedules):
    loads, timer = [], SteppedTimer()
    reloader = Reloader(schedules, lambda: loads.append(timer()) or True, 60, settle=0.5,
                        timer=timer)
    path = schedules / "metallic-rouge.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("offset: 2h") + len("offset: 2h")])   # caught mid-write
    assert reloader.check() is None and loads == []
    timer.step(0.25)
    path.write_text(text.replace("{en: Marginal City,", "{en: Marginal City (done),"))
    assert reloader.check() is None and loads == []           # still changing
    timer.step(0.25)
    assert reloader.check() is None and loads == []           # the same for 0.25 s only
    timer.step(0.25)
    assert reloader.check() is True and loads == [0.75]       # settled: loaded once
    assert reloader.check() is None


def test_a_half_written_file_is_never_served_by_a_running_app(make, schedules):
    timer = SteppedTimer()
    # The reloader's own thread waits an hour: the test makes each of its checks.
    app = make(RELOAD_INTERVAL=3600, RELOAD_SETTLE_SECONDS=2, TIMER=timer)
    reloader = state.service(app).reloader
    client = app.test_client()
    before = client.get(FEED).data
    path = schedules / "metallic-rouge.yaml"
    text = path.read_text().replace("Nameless Guest", "Nameless Guest (copied)")
    cut = text.index("offset: 2h") + len("offset: 2h")   # this much validates on its own
    with path.open("w") as handle:      # a slow copy: the first part, a pause, the rest
        handle.write(text[:cut])
        handle.flush()
        for _ in range(3):
            assert reloader.check() is None
            timer.step(0.5)
            assert client.get(FEED).data == before
        handle.write(text[cut:])
    assert reloader.check() is None     # the copy's end seen: it must hold for 2 s too
    timer.step(1.5)     # 3 s since the copy began, 1.5 s since it ended
    assert reloader.check() is None and client.get(FEED).data == before
    timer.step(0.5)
    assert reloader.check() is True
    after = client.get(FEED).data
    assert b"(copied)" in after and after.count(b"BEGIN:VEVENT") == 13


# --- workers on different versions ---------------------------------------------------------

def test_a_worker_never_serves_a_version_older_than_another_published(make, schedules):
    one, two = make(), make()      # two workers on one folder and one state database
    served = sequences(two.test_client().get(FEED).data)
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (new),")
    with one.app_context():
        assert state.service(one).reload()
    newer = one.test_client().get(FEED).data
    assert b"(new)" in newer
    # Worker two has not checked the folder, yet its very next answer is the new version.
    body = two.test_client().get(FEED).data
    assert body == newer
    assert never_lower(sequences(newer), sequences(body)) and never_lower(served, sequences(body))


def test_a_worker_behind_the_response_cache_catches_up_too(make, schedules):
    one, two = make(RESPONSE_CACHE_SECONDS=60), make(RESPONSE_CACHE_SECONDS=60)
    assert two.test_client().get(FEED).data == two.test_client().get(FEED).data   # cached
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (new),")
    with one.app_context():
        assert state.service(one).reload()
    assert b"(new)" in two.test_client().get(FEED).data


def test_apps_sharing_a_state_database_but_not_a_folder_keep_their_own_data(make, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(SCHEDULE_FIXTURES / "valid" / "move-one-episode.yaml", other / "second.yaml")
    for n in range(3):
        shutil.copy(SCHEDULE_FIXTURES / "valid" / "move-one-episode.yaml", other / f"x{n}.yaml")
    theirs = make(SCHEDULES_DIR=str(other))
    mine = make()       # one file after their four: not a shrink of this folder
    assert mine.test_client().get(FEED).status_code == 200
    make(SCHEDULES_DIR=str(other))      # loads and names its version last
    assert mine.test_client().get(FEED).status_code == 200
    assert theirs.test_client().get("/feeds/jp/second.ics").status_code == 200


def test_a_request_waits_for_a_catch_up_only_so_long(make, schedules):
    one, two = make(), make(CATCH_UP_SECONDS=0.3)
    old = two.test_client().get(FEED).data
    hold = state.service(two)
    hold.lock.acquire()        # as if another thread were loading a huge catalogue
    try:
        edit(schedules, "{en: Marginal City,", "{en: Marginal City (new),")
        with one.app_context():
            assert state.service(one).reload()
        started = time.monotonic()
        answers = []
        waiting = threading.Thread(target=lambda: answers.append(two.test_client().get(FEED)))
        waiting.start()
        waiting.join(5)
        assert answers[0].data == old and 0.25 < time.monotonic() - started < 3
    finally:
        hold.lock.release()
    assert b"(new)" in two.test_client().get(FEED).data


# --- /healthz: public status, private details ----------------------------------------------

def test_healthz_details_go_to_loopback_or_a_token_only(make, schedules, tmp_path):
    app = make(HEALTH_TOKEN="s3cret")
    (schedules / "metallic-rouge.yaml").write_text("title: {en: x}\ndb_password: hunter2\n")
    with app.app_context():
        state.service(app).reload()
    public = app.test_client().get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert public.get_json() == {
        "status": "degraded", "serving": "last_good", "version": public.get_json()["version"],
        "shows": 1, "last_loaded": "2024-01-01T00:00:00+00:00", "problems": 3,
        "state_database": "ok", "calendars": "ok"}
    assert b"db_password" not in public.data and str(tmp_path).encode() not in public.data
    wrong = app.test_client().get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                                  headers={"Authorization": "Bearer nope"})
    assert "details" not in wrong.get_json()
    private = app.test_client().get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                                    headers={"Authorization": "Bearer s3cret"})
    errors = private.get_json()["details"]["errors"]
    assert any(e.startswith("metallic-rouge.yaml:2:1: unknown key 'db_password'")
               for e in errors)
    assert str(tmp_path) not in private.data.decode()


def test_healthz_behind_a_trusted_proxy_is_public_for_remote_clients(make, schedules):
    app = make(TRUSTED_PROXIES=1)
    response = app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert "details" not in response.get_json()


def test_healthz_through_an_untrusted_proxy_on_loopback_is_public(make, schedules):
    """`make run` behind nginx without TRUSTED_PROXIES: the proxy's loopback address does not
    open the details to everyone."""
    response = make().test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert "details" not in response.get_json()
    local = make(TRUSTED_PROXIES=1).test_client().get(
        "/healthz", headers={"X-Forwarded-For": "127.0.0.1"})
    assert "details" in local.get_json()


def test_healthz_stays_small_for_a_file_of_20000_unknown_keys(make, schedules):
    app = make()
    (schedules / "metallic-rouge.yaml").write_text(
        "title: {en: x}\n" + "".join(f"key{n}: {n}\n" for n in range(20_000)))
    with app.app_context():
        state.service(app).reload()
    response = app.test_client().get("/healthz")
    assert len(response.data) < 10_000
    assert response.get_json()["problems"] == 101

"""Live reload: changed, added and removed schedules are picked up; a bad edit keeps the last
good data served and is reported on /healthz and in the log; a start on bad data serves the
last good copy; nothing ever serves a half-loaded catalogue."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from datetime import datetime, timezone

import pytest

from calfeed.web import state
from calfeed.errors import CatalogueError
from calfeed.publish.status import LoadStatus
from calfeed.render.health import health
from tests.conftest import BUNDLED_SCHEDULES, SCHEDULE_FIXTURES, fixed_clock

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
T1 = datetime(2024, 2, 1, tzinfo=timezone.utc)
FEED = "/feeds/us/metallic-rouge.ics"


@pytest.fixture
def make(make_on_copy):
    return make_on_copy


def healthz(app) -> dict:
    response = app.test_client().get("/healthz")
    assert response.headers["Cache-Control"] == "no-store"
    return {"http": response.status_code, **response.get_json()}


def edit(schedules, old: str, new: str) -> None:
    path = schedules / "metallic-rouge.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_health_of_good_data(make):
    app = make()
    report = healthz(app)
    assert report["http"] == 200 and report["status"] == "ok" and report["details"]["errors"] == []
    assert report["shows"] == 1 and len(report["version"]) == 16
    assert report["last_loaded"] == "2024-01-01T00:00:00+00:00"


def test_a_bad_edit_keeps_serving_the_last_good_data_and_says_why(make, schedules, caplog):
    app = make()
    served = app.test_client().get(FEED).data
    version = healthz(app)["version"]
    (schedules / "metallic-rouge.yaml").write_text("title: [broken\n")
    with app.app_context():
        assert state.service(app).reload() is False
    assert app.test_client().get(FEED).data == served
    report = healthz(app)
    assert (report["http"], report["status"], report["version"]) == (200, "degraded", version)
    (error,) = report["details"]["errors"]
    # Shown relative to the folder; logged as path:line:column: message, with the full path.
    assert error.startswith("metallic-rouge.yaml:2:1: YAML syntax error")
    assert f"{schedules}/{error}" in caplog.text


def test_a_fixed_edit_is_served_and_health_recovers(make, schedules):
    app = make()
    (schedules / "metallic-rouge.yaml").write_text("title: [broken\n")
    with app.app_context():
        state.service(app).reload()
    shutil.copy(BUNDLED_SCHEDULES / "metallic-rouge.yaml", schedules)
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (corrected),")
    with app.app_context():
        assert state.service(app).reload() is True
    assert b"Marginal City (corrected)" in app.test_client().get(FEED).data
    assert healthz(app)["status"] == "ok" and healthz(app)["details"]["errors"] == []


def test_added_and_removed_files(make, schedules):
    app = make()
    shutil.copy(SCHEDULE_FIXTURES / "valid" / "move-one-episode.yaml",
                schedules / "second-show.yaml")
    with app.app_context():
        assert state.service(app).reload()
    assert app.test_client().get("/feeds/jp/second-show.ics").status_code == 200
    (schedules / "second-show.yaml").unlink()
    with app.app_context():
        assert state.service(app).reload()
    assert app.test_client().get("/feeds/jp/second-show.ics").status_code == 404
    assert healthz(app)["shows"] == 1


def test_a_start_on_bad_data_serves_the_last_good_copy(make, schedules):
    good = make().test_client().get(FEED).data
    (schedules / "metallic-rouge.yaml").write_text("title: [broken\n")
    restarted = make(CLOCK=fixed_clock(T1))
    assert restarted.test_client().get(FEED).data == good
    report = healthz(restarted)
    assert report["status"] == "degraded" and report["serving"] == "last_good"
    assert report["last_loaded"] == "2024-01-01T00:00:00+00:00"
    assert "metallic-rouge.yaml:2:1: YAML syntax error" in report["details"]["errors"][0]


def test_a_start_on_bad_data_with_nothing_good_refuses(make_app, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "metallic-rouge.yaml").write_text("title: [broken\n")
    with pytest.raises(CatalogueError, match="metallic-rouge.yaml:2:1"):
        make_app(folder)


def test_unavailable_only_when_nothing_good_ever_loaded():
    status, body = health(None, LoadStatus())
    assert (status, body["status"]) == (503, "unavailable")


def wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_reloader_notices_an_edit_within_its_interval(make, schedules):
    # The one test of the reloader's own thread and real time: the others step its timer.
    app = make(RELOAD_INTERVAL=0.2, RELOAD_SETTLE_SECONDS=0.2, RESPONSE_CACHE_SECONDS=0)
    client = app.test_client()
    edit(schedules, "{en: Marginal City,", "{en: Marginal City (new),")
    assert wait_until(lambda: b"Marginal City (new)" in client.get(FEED).data)
    edit(schedules, "count: 13", "count: thirteen")
    assert wait_until(lambda: healthz(app)["status"] == "degraded")
    assert b"Marginal City (new)" in client.get(FEED).data


def test_sighup_reloads_at_once(make, schedules):
    previous = signal.getsignal(signal.SIGHUP)
    try:
        app = make(RELOAD_INTERVAL=3600, RESPONSE_CACHE_SECONDS=0)
        edit(schedules, "{en: Marginal City,", "{en: Marginal City (hup),")
        os.kill(os.getpid(), signal.SIGHUP)
        assert wait_until(lambda: b"(hup)" in app.test_client().get(FEED).data, seconds=5)
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_no_change_no_reload(schedules):
    from calfeed.serve.reloader import Reloader
    loads = []
    reloader = Reloader(schedules, lambda: loads.append(1) or True, 60)
    assert reloader.check() is None and loads == []
    assert reloader.check(force=True) is True and loads == [1]


def test_one_request_is_answered_from_one_version(make, schedules):
    """A reload between two reads inside one request does not change what it sees."""
    app = make()
    with app.test_request_context("/"):
        first = state.current()
        edit(schedules, "{en: Marginal City,", "{en: Marginal City (later),")
        assert state.service(app).reload()
        assert state.current() is first
    with app.test_request_context("/"):
        assert state.current() is not first


def test_health_is_json(make):
    body = make().test_client().get("/healthz").data
    assert json.loads(body)["status"] == "ok"

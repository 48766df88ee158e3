"""A new dataset taken by running apps: ids that move redirect, SEQUENCE only rises where a
time changed, /healthz says how current the data is, automatic checks one at a time."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from calfeed.web import state
from calfeed.serve.dataset_updates import DatasetUpdater, last_check
from tests.conftest import fixed_clock
from tests.test_catalogue_serving import ITEMS, item
from tests.test_dataset_install import EXTRA, NOW, put
from tests.test_dataset_install import pinned_fixture, store_fixture  # noqa: F401 (fixtures)

RENAMED = [item("いまのアニメ", "Current Show Again", "2", "2023-12-20T15:00:00.000Z",
                "2024-03-13T15:00:00.000Z") if i["title"] == "いまのアニメ" else i for i in ITEMS]
# The same items, Metallic Rouge's broadcast ten minutes later.
MOVED_TIME = [item("メタリックルージュ", "Metallic Rouge", "425595", "2024-01-10T16:35:00.000Z",
                   "2024-04-03T16:35:00.000Z") if i["title"] == "メタリックルージュ" else i
              for i in RENAMED]


def sequences(client, url) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return {int(n) for n in re.findall(rb"SEQUENCE:(\d+)", response.data)}


@pytest.fixture
def serving(make_app, store, pinned):
    def make(**config):
        return make_app(IMPORT=1, IMPORT_PATH=str(pinned.root), DATASET_DIR=str(store.directory),
                        RELOAD_INTERVAL=3600, RELOAD_SETTLE_SECONDS=0,
                        SCHEDULES_DIR=str(store.directory.parent / "empty"), **config)
    (store.directory.parent / "empty").mkdir()
    return make


def test_a_running_app_takes_an_update_ids_redirect_and_only_changed_times_rise(
        serving, store, pinned):
    app = serving()
    other = serving()      # another worker on the same state database and dataset folder
    client, second = app.test_client(), other.test_client()
    old_show = sequences(client, "/feeds/jp/old-show.ics")
    rouge = sequences(client, "/feeds/jp/metallic-rouge.ics")
    assert client.get("/shows/current-show-again").status_code == 404

    put(store, pinned, "1.0.1", items=MOVED_TIME + EXTRA)
    assert state.service(app).reloader.check() is True
    assert client.get("/healthz").json["dataset"]["version"] == "1.0.1"
    moved = client.get("/shows/current-show?region=jp")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/shows/current-show-again?region=jp")
    assert client.get("/feeds/jp/current-show.ics").status_code == 301
    assert sequences(client, "/feeds/jp/old-show.ics") == old_show         # not re-sent
    assert min(sequences(client, "/feeds/jp/metallic-rouge.ics")) > max(rouge)
    # The other worker answers at once from what it serves, its reloader loads the new one.
    started = time.monotonic()
    assert second.get("/healthz").json["dataset"]["version"] == "1.0.0"
    assert second.get("/feeds/jp/old-show.ics").status_code == 200
    assert time.monotonic() - started < 1
    assert state.service(other).reloader.check(force=True) is True
    assert second.get("/healthz").json["dataset"]["version"] == "1.0.1"
    assert second.get("/shows/current-show").status_code == 301
    # Recorded beside the dataset, and kept through the next update.
    assert "current-show: bgm2" in (store.directory / "1.0.1" / "moved-ids.yaml").read_text()
    put(store, pinned, "1.0.2", items=MOVED_TIME + EXTRA)
    assert "current-show: bgm2" in (store.directory / "1.0.2" / "moved-ids.yaml").read_text()


def test_a_restart_keeps_the_installed_dataset(serving, store, pinned):
    put(store, pinned, "1.0.1", items=RENAMED + EXTRA)
    client = serving().test_client()
    assert client.get("/healthz").json["dataset"]["version"] == "1.0.1"
    assert client.get("/shows/current-show-again").status_code == 200


def test_healthz_says_how_current_the_dataset_is_for_every_client(serving, store,
                                                                   pinned):
    put(store, pinned, "1.0.1")     # published 2024-01-01 (test_dataset_install.release)
    fresh = serving(CLOCK=fixed_clock(NOW + timedelta(days=3))).test_client()
    body = fresh.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"}).json
    assert body["status"] == "ok"
    assert body["dataset"] == {"version": "1.0.1", "published": "2024-01-01T00:00:00Z",
                               "checked": None, "age_days": 3, "last_check": None}
    old = serving(CLOCK=fixed_clock(NOW + timedelta(days=31))).test_client().get("/healthz")
    assert old.json["status"] == "degraded" and old.json["dataset"]["age_days"] == 31
    lenient = serving(CLOCK=fixed_clock(NOW + timedelta(days=31)), DATASET_MAX_AGE_DAYS=60)
    assert lenient.test_client().get("/healthz").json["status"] == "ok"


def test_a_failed_automatic_check_is_shown_and_takes_no_data_away(serving, store,
                                                                  pinned):
    put(store, pinned, "1.0.1")
    app = serving(CLOCK=fixed_clock(NOW + timedelta(days=1)))
    # The child process asks a registry that does not answer (a closed port on loopback).
    updater = DatasetUpdater(store, 1.0, {"CALFEED_DATASET_DIR": str(store.directory),
                                          "CALFEED_IMPORT_PATH": str(pinned.root),
                                          "NPM_CONFIG_REGISTRY": "http://127.0.0.1:9/"},
                             app.config["CLOCK"])
    assert updater.check() is False
    record = last_check(store.directory)
    assert record["ok"] is False and "cannot reach http://127.0.0.1:9/" in record["message"]
    body = app.test_client().get("/healthz").json
    assert body["status"] == "degraded" and body["dataset"]["last_check"] == "failed"
    assert body["dataset"]["version"] == "1.0.1"
    assert body["dataset"]["checked"] == (NOW + timedelta(days=1)).isoformat()
    assert updater.check() is None      # not due again for an hour


def test_one_worker_checks_at_a_time(store, pinned):
    import fcntl
    clock = fixed_clock(datetime(2026, 12, 1, tzinfo=timezone.utc))
    first = DatasetUpdater(store, 24, {}, clock)
    store.directory.mkdir(parents=True)
    with open(store.directory / ".check-lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)    # another worker is checking
        assert first.due() and first.check() is None
    (store.directory / "checked.json").write_text(json.dumps(
        {"checked": "2026-11-30T12:00:00+00:00", "ok": True, "message": "checked"}))
    assert not first.due()      # another worker checked 12 hours ago


def test_a_dataset_held_by_use_is_left_by_the_automatic_check(store, pinned):
    from calfeed.source.install import use
    put(store, pinned, "1.0.1")
    put(store, pinned, "1.0.2")
    use(store, "1.0.1")
    updater = DatasetUpdater(store, 24, {}, fixed_clock(NOW))
    assert updater.check() is True
    assert "held at bangumi-data 1.0.1" in last_check(store.directory)["message"]
    assert store.choice().version == "1.0.1"


def test_a_roll_back_raises_sequence_never_lowers_it(serving, store, pinned):
    from calfeed.source.install import use
    put(store, pinned, "1.0.1")
    app = serving()
    client = app.test_client()
    first = sequences(client, "/feeds/jp/metallic-rouge.ics")
    put(store, pinned, "1.0.2", items=MOVED_TIME + EXTRA)
    assert state.service(app).reloader.check() is True
    moved = sequences(client, "/feeds/jp/metallic-rouge.ics")
    use(store, "1.0.1")     # the ten minutes taken back: the old times, a higher SEQUENCE
    assert state.service(app).reloader.check() is True
    back = sequences(client, "/feeds/jp/metallic-rouge.ics")
    assert max(first) < min(moved) and max(moved) < min(back)

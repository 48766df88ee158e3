"""Open-ended imported shows run on in a worker that keeps running: a new day, a later horizon.

Before this, a worker imported the dataset once at start, so a long runner without an end date
stopped four weeks after the worker started: subscribers saw no new episodes until a restart.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from calfeed.source.loading import imported_catalogue
from calfeed.web import state
from tests.conftest import NOW
from tests.test_catalogue_serving import dataset, events, sequences

LONG_RUNNER = "/feeds/jp/nagai-anime.ics"


class Clock:
    """A clock the test moves on, as days pass for a running worker."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_a_new_day_moves_the_horizon_and_the_data_version(make_app, tmp_path):
    clock = Clock(NOW)
    app = make_app(IMPORT=1, IMPORT_PATH=str(dataset(tmp_path / "bangumi-data")), CLOCK=clock,
                   RELOAD_INTERVAL=3600, RELOAD_SETTLE_SECONDS=0)
    client = app.test_client()
    before = sequences(client, LONG_RUNNER)
    version = client.get("/healthz").json["version"]
    assert len(before) == 265      # weekly from 2019-01-06 to four weeks past 2024-01-01

    clock.at = NOW + timedelta(days=14, hours=9)
    assert state.service(app).reloader.check() is True      # the day is due a load
    after = sequences(client, LONG_RUNNER)
    assert len(after) == 267       # two more weeks of episodes
    # Events already served keep their UID and SEQUENCE: only new ones are added.
    assert {uid: after[uid] for uid in before} == before
    assert client.get("/healthz").json["version"] != version
    # Nothing more to do until the next day.
    assert state.service(app).reloader.check() is None


def test_a_running_worker_serves_what_a_worker_started_that_day_serves(make_app, tmp_path):
    folder = dataset(tmp_path / "bangumi-data")
    later = NOW + timedelta(days=40)
    clock = Clock(NOW)
    running = make_app(IMPORT=1, IMPORT_PATH=str(folder), CLOCK=clock, RELOAD_INTERVAL=3600,
                       RELOAD_SETTLE_SECONDS=0)
    clock.at = later
    state.service(running).reloader.check()
    fresh = make_app(IMPORT=1, IMPORT_PATH=str(folder), CLOCK=lambda: later)
    for url in (LONG_RUNNER, "/feeds/jp.ics", "/api/v1/shows/nagai-anime"):
        assert running.test_client().get(url).data == fresh.test_client().get(url).data, url
    assert running.test_client().get("/healthz").json["version"] == \
        fresh.test_client().get("/healthz").json["version"]


def test_the_region_feed_goes_on_showing_the_long_runner(make_app, tmp_path):
    clock = Clock(NOW)
    app = make_app(IMPORT=1, IMPORT_PATH=str(dataset(tmp_path / "bangumi-data")), CLOCK=clock,
                   RELOAD_INTERVAL=3600, RELOAD_SETTLE_SECONDS=0)
    # Two months on, a worker that never reloaded had nothing left of the long runner ahead.
    clock.at = NOW + timedelta(days=60)
    state.service(app).reloader.check()
    ahead = [e.decoded("DTSTART") for e in events(app.test_client().get("/feeds/jp.ics"))
             if str(e["SUMMARY"]).startswith("ながいアニメ") and e.decoded("DTSTART") > clock.at]
    assert len(ahead) == 4


def test_moving_the_horizon_does_not_read_the_dataset_again(tmp_path):
    folder = dataset(tmp_path / "bangumi-data")
    first = imported_catalogue(NOW, folder)
    (folder / "dist" / "data.json").write_text("not read again")
    later = imported_catalogue(NOW + timedelta(days=3), folder)
    assert later.report is first.report and later.day == "2024-01-04"
    assert len(later.shows["nagai-anime"].episodes) == len(first.shows["nagai-anime"].episodes)
    assert later.shows["current-show"] is first.shows["current-show"]   # ended: untouched
    assert imported_catalogue(NOW + timedelta(days=3, hours=20), folder) is later
    assert later.data_part == "bangumi-data 9.9.1, horizon 2024-01-04"
    assert first.data_part == "bangumi-data 9.9.1, horizon 2024-01-01"


def test_utc_day_not_the_wall_clock_day(tmp_path):
    folder = dataset(tmp_path / "bangumi-data")
    tokyo_morning = datetime(2024, 1, 2, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    assert imported_catalogue(tokyo_morning, folder).day == "2024-01-01"

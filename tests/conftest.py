"""Fixtures: a fresh app per test, and schedule fixtures reached by the name of what they test."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from calfeed import create_app
from calfeed.config import BUNDLED_SCHEDULES
from calfeed.schedule.expand import expand_show
from calfeed.schedule.show_file import load_show

SCHEDULE_FIXTURES = Path(__file__).parent / "schedules"


def pytest_configure(config):
    # Apps made by tests do not poll their folders unless a test asks for it; servers the tests
    # start inherit this too.
    os.environ.setdefault("CALFEED_RELOAD_INTERVAL", "0")


class NamedShows:
    """`shows.skip_shifts_later_episodes` is tests/schedules/valid/skip-shifts-later-episodes.yaml."""

    def __getattr__(self, name: str):
        return load_show(SCHEDULE_FIXTURES / "valid" / f"{name.replace('_', '-')}.yaml")


@pytest.fixture
def shows() -> NamedShows:
    return NamedShows()


@pytest.fixture
def airings_of():
    """Airings of a show by release id: {"tv": [airing, ...]}."""
    def by_release(show):
        grouped: dict[str, list] = {}
        for airing in expand_show(show):
            grouped.setdefault(airing.release.id, []).append(airing)
        return grouped
    return by_release


# Tests run as if on 2024-01-01, before Metallic Rouge's first episode: feeds do not depend
# on when the suite runs, and LAST-MODIFIED/DTSTAMP are this instant on a first load.
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def fixed_clock(at: datetime = NOW):
    return lambda: at


@pytest.fixture
def make_app(tmp_path):
    """An app on a folder of schedules, with its own revision store and a fixed clock."""
    def make(schedules=BUNDLED_SCHEDULES, **config):
        return create_app({"TESTING": True, "SCHEDULES_DIR": str(schedules),
                           "STATE_PATH": str(tmp_path / "state.sqlite3"),
                           "CLOCK": fixed_clock(), "RELOAD_INTERVAL": 0, **config})
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def schedules(tmp_path):
    """A copy of the bundled schedules that a test may edit, empty or break."""
    folder = tmp_path / "schedules"
    shutil.copytree(BUNDLED_SCHEDULES, folder)
    return folder


@pytest.fixture
def make_on_copy(tmp_path, schedules):
    """Apps on the `schedules` copy sharing one state database; their reloaders stop at the end."""
    from calfeed.web import state

    apps = []

    def make(**config):
        app = create_app({"SCHEDULES_DIR": str(schedules), "CLOCK": fixed_clock(),
                          "STATE_PATH": str(tmp_path / "state.sqlite3"), "RELOAD_INTERVAL": 0,
                          **config})
        apps.append(app)
        return app
    yield make
    for app in apps:
        if state.RELOADER in app.extensions:
            app.extensions[state.RELOADER].stop()

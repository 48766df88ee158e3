"""Fixtures: a fresh app per test, and schedule fixtures reached by the name of what they test."""

from __future__ import annotations

from pathlib import Path

import pytest

from calfeed import create_app
from calfeed.config import BUNDLED_SCHEDULES
from calfeed.expand import expand_show
from calfeed.schedules import load_show

SCHEDULE_FIXTURES = Path(__file__).parent / "schedules"


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


@pytest.fixture
def app():
    return create_app({"TESTING": True, "SCHEDULES_DIR": str(BUNDLED_SCHEDULES)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()

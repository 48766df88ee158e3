"""Two instances writing the same calendars at once, on either backend: no edit is lost and
the hourly creation limit holds across them."""

from __future__ import annotations

import threading

import pytest

from calfeed.calendars.rules import LimitReached
from calfeed.web import state

pytestmark = pytest.mark.both_backends

CHOICES = {"region": "JP", "shows": {"metallic-rouge": None}, "lang": None, "alarms": []}


@pytest.fixture
def two_stores(make_app, tmp_path):
    """The calendar stores of two apps on one database (or one SQLite file)."""
    return [state.service(make_app(CALENDARS_PATH=str(tmp_path / "calendars.sqlite3"),
                                   CALENDAR_CREATIONS_PER_HOUR=5)).calendars for _ in range(2)]


def at_once(actions) -> list:
    """Run the actions in threads started together; what each returned or raised."""
    start, results = threading.Barrier(len(actions)), [None] * len(actions)

    def run(i, action):
        start.wait()
        try:
            results[i] = action()
        except Exception as exc:     # kept: the test looks at what was raised
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_edits_from_two_instances_at_once_are_all_counted(two_stores):
    a, b = two_stores
    feed_id, edit_key = a.create(CHOICES, "192.0.2.1")
    edits = [lambda store=store, n=n: store.replace(edit_key, {**CHOICES, "alarms": [n]})
             for n in range(8) for store in (a, b)]
    assert at_once(edits) == [True] * 16
    assert b.feed(feed_id).generation == a.feed(feed_id).generation == 17


def test_the_hourly_limit_holds_across_instances_creating_at_once(two_stores):
    made = at_once([lambda store=store: store.create(CHOICES, "192.0.2.1")
                    for store in two_stores for _ in range(5)])
    assert sum(isinstance(result, tuple) for result in made) == 5
    assert all(isinstance(result, (tuple, LimitReached)) for result in made)

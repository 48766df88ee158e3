"""The entry point of personal calendars: these shows, this region, these per-show release
choices; one event an episode under the episode's UID, SEQUENCE raised by each show's edits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from calfeed.errors import NotFound
from calfeed.publish.published import publish
from calfeed.publish.revisions import RevisionStore
from calfeed.render.feeds import FeedOptions, FeedSettings, FeedTitle, chosen_feed
from calfeed.publish.calendar_edits import Edit
from calfeed.schedule.regions import country
from calfeed.query.parameter_error import ParameterError
from calfeed.query.feed import FeedQuery
from tests.conftest import BUNDLED_SCHEDULES

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
SETTINGS = FeedSettings(refresh=timedelta(hours=3), max_bytes=900_000)
MINE = FeedTitle(name="Mine", about="My shows", filename="mine.ics")


@pytest.fixture(scope="module")
def published():
    return publish(BUNDLED_SCHEDULES, RevisionStore(":memory:"), NOW)


def events(published, choices, generation=0, query=FeedQuery(), edited=None):
    return {str(e["UID"]): e for e in Calendar.from_ical(
        feed_of(published, choices, generation, query, edited).body).walk("VEVENT")}


def feed_of(published, choices, generation=0, query=FeedQuery(), edited=None):
    return chosen_feed(published, choices, options(query), MINE,
                       edits={show: Edit(generation, edited) for show in choices})


def options(query=FeedQuery()):
    return FeedOptions(country("JP"), query, now=NOW, url="http://localhost/feeds/my/x.ics",
                       settings=SETTINGS)


def test_a_chosen_release_keeps_the_episode_uids(published):
    earliest = events(published, {"metallic-rouge": None})
    on_fod = events(published, {"metallic-rouge": frozenset({"fod"})})
    assert set(earliest) == set(on_fod) == {f"bgm425595-{n}-jp@calfeed" for n in range(1, 14)}
    assert {str(e["LOCATION"]) for e in earliest.values()} == {"Fuji TV +Ultra"}
    assert {str(e["LOCATION"]) for e in on_fod.values()} == {"FOD"}


def test_the_generation_raises_every_sequence(published):
    plain = events(published, {"metallic-rouge": None})
    later = events(published, {"metallic-rouge": None}, generation=3)
    assert {uid: e["SEQUENCE"] + 3 for uid, e in plain.items()} == \
        {uid: e["SEQUENCE"] for uid, e in later.items()}


def test_a_shows_edits_raise_its_own_events_only(published):
    def sequences(edits):
        feed = chosen_feed(published, {"metallic-rouge": None}, options(), MINE, edits=edits)
        return {str(e["UID"]): e["SEQUENCE"] for e in Calendar.from_ical(feed.body).walk("VEVENT")}
    plain = sequences({})
    assert sequences({"another-show": Edit(2, NOW)}) == plain
    assert sequences({"metallic-rouge": Edit(2, NOW)}) == {uid: n + 2 for uid, n in plain.items()}


def test_an_edit_is_the_last_modification_of_every_event(published):
    """CLIENTS.md: on every change raise SEQUENCE and set LAST-MODIFIED to the change time.
    Found as a new user: an edit raised SEQUENCE but LAST-MODIFIED and DTSTAMP stayed at the
    data's load time."""
    before = events(published, {"metallic-rouge": None}, generation=1)
    edited = datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    after = events(published, {"metallic-rouge": None}, generation=2, edited=edited)
    assert all(e.decoded("LAST-MODIFIED") < edited for e in before.values())
    assert {e.decoded("LAST-MODIFIED") for e in after.values()} == {edited}
    assert {e.decoded("DTSTAMP") for e in after.values()} == {edited}
    assert feed_of(published, {"metallic-rouge": None}, 2, edited=edited).last_modified == edited
    # An edit older than the data's last change does not take LAST-MODIFIED back.
    old = events(published, {"metallic-rouge": None}, generation=2,
                 edited=datetime(2001, 1, 1, tzinfo=timezone.utc))
    assert {e.decoded("LAST-MODIFIED") for e in old.values()} == \
        {e.decoded("LAST-MODIFIED") for e in before.values()}


def test_release_filters_of_the_query_do_not_apply(published):
    query = FeedQuery(release_ids=frozenset({"fod"}), all_releases=True)
    assert len(events(published, {"metallic-rouge": None}, query=query)) == 13


def test_unknown_shows_and_releases_are_refused(published):
    with pytest.raises(NotFound):
        events(published, {"no-such-show": None})
    with pytest.raises(ParameterError):
        events(published, {"metallic-rouge": frozenset({"crunchyroll"})})


def test_no_shows_is_an_empty_calendar(published):
    assert events(published, {}) == {}

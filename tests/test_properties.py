"""Properties of generated schedules, through the real loader, expander and feed renderer:

- every release has one airing per episode;
- a release's airings are strictly increasing in time, but for the ones a move placed;
- every airing's UTC instant survives a round trip through a feed and independent parsers;
- UIDs are unique in every feed;
- the same data gives the same bytes and ETag.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calfeed.render import ics
from calfeed.errors import CatalogError
from calfeed.schedule.expand import expand_show
from calfeed.publish.revisions import Revision
from calfeed.schedule.show_file import show_from_bytes
from tests.parsers import with_icalendar, with_vobject

UTC = timezone.utc
# Zones with summer time north and south, half- and quarter-hour offsets, and none at all.
ZONES = ["Asia/Tokyo", "America/New_York", "Europe/London", "Australia/Sydney",
         "America/Sao_Paulo", "Pacific/Chatham", "Asia/Kolkata", "America/St_Johns", "UTC",
         "Australia/Lord_Howe", "Europe/Dublin"]
SETTINGS = settings(max_examples=80, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def wall(day: date, hour: int, minute: int) -> str:
    return f"{day.isoformat()} {hour:02d}:{minute:02d}"


@st.composite
def schedule_documents(draw) -> dict:
    count = draw(st.integers(1, 26))
    first = draw(st.integers(0, 40))
    day = draw(st.dates(date(2000, 1, 1), date(2035, 12, 31)))
    every = draw(st.integers(1, 14))
    # k skips push the last episode to slot count + k - 1, so they lie before it (a skip after
    # the last episode is refused by validation, rightly).
    skip_count = draw(st.integers(0, 3))
    skips = draw(st.lists(st.integers(0, count + skip_count - 2), min_size=skip_count,
                          max_size=skip_count, unique=True)) if count + skip_count > 1 else []
    numbers = list(range(first, first + count))
    moved = draw(st.lists(st.sampled_from(numbers), max_size=3, unique=True))
    times = st.tuples(st.integers(-20, 400), st.integers(0, 29), st.integers(0, 59))
    own = {
        "id": "own", "name": "Own", "kind": "broadcast", "regions": ["JP"],
        "timezone": draw(st.sampled_from(ZONES)),
        "start": wall(day, draw(st.integers(0, 29)), draw(st.integers(0, 59))),
        "every": f"{every} days",
        "skip": [(day + timedelta(days=every * s)).isoformat() for s in sorted(skips)],
        "moves": [{"episode": n, "to": wall(day + timedelta(days=d), h, m)}
                  for n, (d, h, m) in zip(moved, draw(st.lists(times, min_size=len(moved),
                                                               max_size=len(moved))))],
    }
    releases = [own]
    for index in range(draw(st.integers(0, 2))):
        follower = {"id": f"follow-{index}", "name": f"Follower {index}", "kind": "streaming",
                    "regions": {"include": ["world"], "exclude": ["asia"]},
                    "follows": releases[-1]["id"],
                    "offset": draw(st.sampled_from(["0", "30m", "-1h", "2h30m", "-PT45M",
                                                    "13h"]))}
        if draw(st.booleans()):
            (d, h, m) = draw(times)
            follower["moves"] = [{"episode": draw(st.sampled_from(numbers)),
                                  "to": wall(day + timedelta(days=d), h, m)}]
        releases.append(follower)
    return {"title": {"en": "Property Show", "ja": "性質"},
            "episodes": {"count": count, "first": first,
                         "duration": draw(st.sampled_from(["24m", "30m", "1h", "PT1H30M"]))},
            "releases": releases}


def load(document: dict):
    data = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    try:
        return show_from_bytes(data, Path("property-show.yaml"))
    except CatalogError as exc:
        # A generated wall time may fall in a DST gap; anything else is a real failure.
        assert all("does not exist in" in e.message for e in exc.errors), str(exc)
        assume(False)


def feed(airings) -> bytes:
    revisions = {a.uid: Revision(0, datetime(2024, 1, 1, tzinfo=UTC)) for a in airings}
    events = ics.EventCache(revisions)
    head = ics.calendar_head(ics.CalendarHeader("Property Show", "generated",
                                                timedelta(hours=3), "http://localhost/x.ics"))
    return ics.join_calendar(head, [events.event(a, a.uid, None, ()) for a in airings])


@SETTINGS
@given(schedule_documents())
def test_one_airing_per_episode_and_release(document):
    show = load(document)
    airings = expand_show(show)
    for release in show.releases:
        numbers = [a.episode.number for a in airings if a.release.id == release.id]
        assert sorted(numbers) == [e.number for e in show.episodes]


@SETTINGS
@given(schedule_documents())
def test_airings_increase_unless_moved(document):
    show = load(document)
    for release in show.releases:
        placed = sorted((a for a in expand_show(show) if a.release.id == release.id
                         and not a.moved), key=lambda a: a.episode.number)
        instants = [a.start.astimezone(UTC) for a in placed]
        assert all(earlier < later for earlier, later in zip(instants, instants[1:]))


@SETTINGS
@given(schedule_documents())
def test_instants_survive_the_feed_and_uids_are_unique(document):
    show = load(document)
    airings = expand_show(show)
    body = feed(airings)
    expected = {a.uid: a.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for a in airings}
    assert len(expected) == len(airings), "UIDs unique"
    assert body.count(b"\r\nUID:") == len(airings)
    assert with_icalendar(body) == expected
    assert with_vobject(body) == expected


@SETTINGS
@given(schedule_documents())
def test_same_data_same_bytes(document):
    # The ETag is a hash of these bytes (web/responses.py), so equal bytes are all it needs.
    first, second = feed(expand_show(load(document))), feed(expand_show(load(document)))
    assert first == second

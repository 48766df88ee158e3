"""Properties of generated schedules, through the real loader, expander and feed renderer:

- wall times in a clock change are generated on purpose: one in a gap is refused, naming the
  first such time expansion meets; one in a fold airs at its first occurrence;
- every release has one airing per episode;
- a release's airings are strictly increasing in time, but for the ones a move placed;
- every airing's UTC instant survives a round trip through a feed and independent parsers;
- UIDs are unique in every feed;
- the same data gives the same bytes and ETag.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from calfeed.render import ics
from calfeed.errors import CatalogueError
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


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2035, 12, 31)
MINUTE = timedelta(minutes=1)


def wall(day: date, hour: int, minute: int) -> str:
    return f"{day.isoformat()} {hour:02d}:{minute:02d}"


@lru_cache(maxsize=None)
def clock_changes(key: str) -> tuple[tuple[datetime, datetime, bool], ...]:
    """Every clock change of a zone between FIRST_DAY and a year past LAST_DAY, as the naive
    wall times [first, end) it skips (gap: True) or repeats (fold: False): found by comparing
    UTC offsets a day apart, then narrowing to the minute."""
    zone, found = ZoneInfo(key), []
    moment = datetime.combine(FIRST_DAY, datetime.min.time(), UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment.date() <= LAST_DAY + timedelta(days=366):
        following = moment + timedelta(days=1)
        new_offset = following.astimezone(zone).utcoffset()
        if new_offset != offset:
            low, high = moment, following      # low has the old offset, high the new one
            while high - low > MINUTE:
                middle = low + (high - low) // 2 // MINUTE * MINUTE
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            walls = sorted([(high + offset).replace(tzinfo=None),
                            (high + new_offset).replace(tzinfo=None)])
            found.append((walls[0], walls[1], new_offset > offset))
        moment, offset = following, new_offset
    return tuple(found)


def in_gap(moment: datetime, key: str) -> bool:
    """PEP 495's reading, independent of calfeed's round trip: in a gap, the offset before the
    change (fold=0) is smaller than the one after (fold=1)."""
    zone = ZoneInfo(key)
    return moment.replace(tzinfo=zone).utcoffset() < moment.replace(tzinfo=zone,
                                                                    fold=1).utcoffset()


@st.composite
def wall_times(draw, key: str, days=st.dates(FIRST_DAY, LAST_DAY)) -> tuple[date, int, int]:
    """A broadcast day, hour and minute: anywhere, or on purpose in one of the zone's gaps or
    folds (zones without clock changes have none)."""
    kind = draw(st.sampled_from(["anywhere", "gap", "fold"]))
    changes = [c for c in clock_changes(key) if c[2] == (kind == "gap")] if kind != "anywhere" \
        else []
    if not changes:
        return draw(days), draw(st.integers(0, 29)), draw(st.integers(0, 59))
    first, end, _ = draw(st.sampled_from(changes))
    moment = first + MINUTE * draw(st.integers(0, (end - first) // MINUTE - 1))
    return moment.date(), moment.hour, moment.minute


@st.composite
def schedule_documents(draw) -> dict:
    count = draw(st.integers(1, 26))
    first = draw(st.integers(0, 40))
    key = draw(st.sampled_from(ZONES))
    day, hour, minute = draw(wall_times(key))
    every = draw(st.integers(1, 14))
    # k skips push the last episode to slot count + k - 1, so they lie before it (a skip after
    # the last episode is refused by validation, rightly).
    skip_count = draw(st.integers(0, 3))
    skips = draw(st.lists(st.integers(0, count + skip_count - 2), min_size=skip_count,
                          max_size=skip_count, unique=True)) if count + skip_count > 1 else []
    numbers = list(range(first, first + count))
    moved = draw(st.lists(st.sampled_from(numbers), max_size=3, unique=True))
    # Moves go near the start, or on purpose into a clock change of the zone.
    near = st.dates(max(FIRST_DAY, day - timedelta(days=20)), day + timedelta(days=400))
    times = wall_times(key, near)
    own = {
        "id": "own", "name": "Own", "kind": "broadcast", "regions": ["JP"],
        "timezone": key,
        "start": wall(day, hour, minute),
        "every": f"{every} days",
        "skip": [(day + timedelta(days=every * s)).isoformat() for s in sorted(skips)],
        "moves": [{"episode": n, "to": wall(*draw(times))} for n in moved],
    }
    releases = [own]
    for index in range(draw(st.integers(0, 2))):
        follower = {"id": f"follow-{index}", "name": f"Follower {index}", "kind": "streaming",
                    "regions": {"include": ["world"], "exclude": ["asia"]},
                    "follows": releases[-1]["id"],
                    "offset": draw(st.sampled_from(["0", "30m", "-1h", "2h30m", "-PT45M",
                                                    "13h"]))}
        if draw(st.booleans()):
            follower["moves"] = [{"episode": draw(st.sampled_from(numbers)),
                                  "to": wall(*draw(times))}]
        releases.append(follower)
    return {"title": {"en": "Property Show", "ja": "性質"},
            "episodes": {"count": count, "first": first,
                         "duration": draw(st.sampled_from(["24m", "30m", "1h", "PT1H30M"]))},
            "releases": releases}


def naive_wall(text: str) -> datetime:
    day, time = text.split(" ")
    hour, minute = time.split(":")
    return datetime.fromisoformat(day) + timedelta(hours=int(hour), minutes=int(minute))


def stated_walls(document: dict) -> list[tuple[str, int, datetime]]:
    """(release, episode, naive wall time) of every wall time the document states, in the
    order expansion meets them: the own release's slots (after skips, moves in place of their
    slot), then each follower's moves, which are stated in the own release's zone."""
    own = document["releases"][0]
    start_day = date.fromisoformat(own["start"].split(" ")[0])
    start_time = naive_wall(own["start"]) - datetime.combine(start_day, datetime.min.time())
    every = int(own["every"].split()[0])
    skipped = {date.fromisoformat(d) for d in own["skip"]}
    moves = {m["episode"]: naive_wall(m["to"]) for m in own["moves"]}
    first, count = document["episodes"]["first"], document["episodes"]["count"]
    found, slot = [], 0
    for number in range(first, first + count):
        while start_day + timedelta(days=slot * every) in skipped:
            slot += 1
        slot_day = datetime.combine(start_day + timedelta(days=slot * every), datetime.min.time())
        found.append(("own", number, moves.get(number, slot_day + start_time)))
        slot += 1
    for follower in document["releases"][1:]:
        found += [(follower["id"], m["episode"], naive_wall(m["to"]))
                  for m in follower.get("moves", ())]
    return found


def load(document: dict):
    """The show; or, when a stated wall time is in a gap, None once the refusal is checked to
    name exactly the first such time."""
    data = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    key = document["releases"][0]["timezone"]
    gaps = [(release, moment) for release, _, moment in stated_walls(document)
            if in_gap(moment, key)]
    event("a wall time in a gap" if gaps else "no gap")
    if not gaps:
        return show_from_bytes(data, Path("property-show.yaml"))
    with pytest.raises(CatalogueError) as refused:
        show_from_bytes(data, Path("property-show.yaml"))
    release, moment = gaps[0]
    messages = [e.message for e in refused.value.errors]
    assert len(messages) == 1 and messages[0].startswith(
        f"release '{release}': {moment:%Y-%m-%d %H:%M} does not exist in {key} "), messages
    return None


@SETTINGS
@given(schedule_documents())
def test_stated_wall_times_are_kept_and_folds_take_their_first_occurrence(document):
    show = load(document)
    if show is None:
        return
    key = document["releases"][0]["timezone"]
    walls = {(release, number): moment for release, number, moment in stated_walls(document)}
    folds = 0
    for airing in expand_show(show):
        stated = walls.get((airing.release.id, airing.episode.number))
        if stated is None or (airing.release.id != "own" and not airing.moved):
            continue      # a follower's airing that no move of its own placed
        assert airing.start.astimezone(ZoneInfo(key)).replace(tzinfo=None) == stated
        first = stated.replace(tzinfo=ZoneInfo(key))
        assert airing.start_utc == first.astimezone(UTC), "the first occurrence (fold=0)"
        if first.utcoffset() != stated.replace(tzinfo=ZoneInfo(key), fold=1).utcoffset():
            folds += 1
    event("a wall time in a fold" if folds else "no fold")


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
    if show is None:
        return
    airings = expand_show(show)
    for release in show.releases:
        numbers = [a.episode.number for a in airings if a.release.id == release.id]
        assert sorted(numbers) == [e.number for e in show.episodes]


@SETTINGS
@given(schedule_documents())
def test_airings_increase_unless_moved(document):
    show = load(document)
    if show is None:
        return
    for release in show.releases:
        placed = sorted((a for a in expand_show(show) if a.release.id == release.id
                         and not a.moved), key=lambda a: a.episode.number)
        instants = [a.start.astimezone(UTC) for a in placed]
        assert all(earlier < later for earlier, later in zip(instants, instants[1:], strict=False))


@SETTINGS
@given(schedule_documents())
def test_instants_survive_the_feed_and_uids_are_unique(document):
    show = load(document)
    if show is None:
        return
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
    show = load(document)
    if show is None:
        return
    first, second = feed(expand_show(show)), feed(expand_show(load(document)))
    assert first == second

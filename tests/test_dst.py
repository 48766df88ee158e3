"""Clock changes as a test axis: a gap and a fold in New York, London, Sydney (southern
hemisphere), Lord Howe (a 30-minute change) and São Paulo (DST abolished in 2019), through the
wall-clock conversion (wallclock.in_zone) and the release expansion (show file to airings).

The transition facts below are the tz database's; the code under test takes every offset from
zoneinfo, never from this table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from calfeed.errors import CatalogueError
from calfeed.schedule.expand import expand_show
from calfeed.schedule.show_file import show_from_bytes
from calfeed.schedule.wallclock import WallTimeGap, in_zone, parse_wall_time
from calfeed.schedule.zones import lookup_zone

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Change:
    zone: str
    gap: tuple[str, str]    # wall times [first, end) the clocks skip when they go forward
    fold: tuple[str, str]   # wall times [first, end) that occur twice when they go back
    shift: timedelta        # how far the clocks move

    @property
    def key(self):
        return lookup_zone(self.zone)


CHANGES = [
    Change("America/New_York", ("2024-03-10 02:00", "2024-03-10 03:00"),
           ("2024-11-03 01:00", "2024-11-03 02:00"), timedelta(hours=1)),
    Change("Europe/London", ("2024-03-31 01:00", "2024-03-31 02:00"),
           ("2024-10-27 01:00", "2024-10-27 02:00"), timedelta(hours=1)),
    # Southern hemisphere: forward in October, back in April.
    Change("Australia/Sydney", ("2024-10-06 02:00", "2024-10-06 03:00"),
           ("2024-04-07 02:00", "2024-04-07 03:00"), timedelta(hours=1)),
    Change("Australia/Lord_Howe", ("2024-10-06 02:00", "2024-10-06 02:30"),
           ("2024-04-07 01:30", "2024-04-07 02:00"), timedelta(minutes=30)),
    # Brazil's last summer time: forward in November 2018, back in February 2019, then never.
    Change("America/Sao_Paulo", ("2018-11-04 00:00", "2018-11-04 01:00"),
           ("2019-02-16 23:00", "2019-02-17 00:00"), timedelta(hours=1)),
]
ZONE_AXIS = pytest.mark.parametrize("change", CHANGES, ids=[c.zone for c in CHANGES])


def naive(text: str) -> datetime:
    return parse_wall_time(text).naive()


def wall(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def show(*releases: dict, count: int = 5):
    document = {"title": {"en": "Clock Change"},
                "episodes": {"count": count, "duration": "24m"},
                "releases": [{"kind": "streaming", "regions": ["world"], "every": "1 week",
                              **release} for release in releases]}
    data = yaml.safe_dump(document, sort_keys=False).encode()
    return expand_show(show_from_bytes(data, Path("clock-change.yaml")))


def weekly(zone: str, first: datetime, *, count: int = 5):
    """The airings of a weekly release in `zone` whose first slot is the wall time `first`."""
    return show({"id": "local", "name": "Local", "timezone": zone, "start": wall(first)},
                count=count)


@ZONE_AXIS
def test_every_wall_time_in_the_gap_is_refused_and_its_edges_are_one_minute_apart(change):
    first, end = (naive(t) for t in change.gap)
    assert end - first == change.shift
    moment = first
    while moment < end:
        with pytest.raises(WallTimeGap, match=f"{wall(moment)} does not exist in {change.zone}"):
            in_zone(parse_wall_time(wall(moment)), change.key)
        moment += 15 * MINUTE
    before = in_zone(parse_wall_time(wall(first - MINUTE)), change.key).astimezone(UTC)
    after = in_zone(parse_wall_time(wall(end)), change.key).astimezone(UTC)
    assert after - before == MINUTE    # the clock jumped: no instant was lost


@ZONE_AXIS
def test_a_wall_time_in_the_fold_is_its_first_occurrence(change):
    first, end = (naive(t) for t in change.fold)
    assert end - first == change.shift
    for moment in (first, first + (end - first) / 2, end - MINUTE):
        instant = in_zone(parse_wall_time(wall(moment)), change.key).astimezone(UTC)
        assert instant.astimezone(change.key).replace(tzinfo=None) == moment
        # The same wall time comes again one shift later, and did not an instant earlier.
        later = (instant + change.shift).astimezone(change.key)
        assert later.replace(tzinfo=None) == moment and later.fold == 1
        assert (instant - change.shift).astimezone(change.key).replace(tzinfo=None) != moment


def _around(day: datetime) -> datetime:
    """A slot 15 days before `day`, at 21:00: weekly, three airings fall before the change
    and two after (none within a day of it, in any of these zones)."""
    return datetime.combine(day.date() - timedelta(days=15), datetime.min.time()) + \
        timedelta(hours=21)


@ZONE_AXIS
@pytest.mark.parametrize("which", ["gap", "fold"])
def test_a_tokyo_stream_moves_on_the_local_clock_at_the_change(change, which):
    first, _ = (naive(t) for t in getattr(change, which))
    airings = weekly("Asia/Tokyo", _around(first))
    instants = [a.start_utc for a in airings]
    assert all(b - a == WEEK for a, b in zip(instants, instants[1:], strict=False))   # Tokyo has no DST
    local = [a.start_utc.astimezone(change.key) for a in airings]
    clock = [timedelta(hours=t.hour, minutes=t.minute) for t in local]
    assert clock[0] == clock[1] == clock[2] and clock[3] == clock[4]
    moved = (clock[3] - clock[2]) % timedelta(days=1)
    assert moved == (change.shift if which == "gap" else timedelta(days=1) - change.shift)


@ZONE_AXIS
@pytest.mark.parametrize("which", ["gap", "fold"])
def test_a_locally_anchored_release_keeps_its_wall_time(change, which):
    first, _ = (naive(t) for t in getattr(change, which))
    airings = weekly(change.zone, _around(first))
    assert {f"{a.start:%H:%M}" for a in airings} == {"21:00"}
    assert {a.start.tzinfo for a in airings} == {change.key}
    spacing = [b.start_utc - a.start_utc for a, b in zip(airings, airings[1:], strict=False)]
    across = WEEK - change.shift if which == "gap" else WEEK + change.shift
    assert spacing == [WEEK, WEEK, across, WEEK]


@ZONE_AXIS
def test_a_weekly_slot_that_falls_in_the_gap_is_refused_naming_it(change):
    in_gap = naive(change.gap[0]) + (naive(change.gap[1]) - naive(change.gap[0])) / 2
    with pytest.raises(CatalogueError) as refused:
        weekly(change.zone, in_gap - WEEK)
    assert f"release 'local': {wall(in_gap)} does not exist in {change.zone}" in str(refused.value)
    assert "clock-change.yaml:" in str(refused.value)


@ZONE_AXIS
def test_a_weekly_slot_in_the_fold_airs_at_its_first_occurrence(change):
    in_fold = naive(change.fold[0]) + MINUTE * 10
    airings = weekly(change.zone, in_fold - WEEK, count=3)
    before, on_the_day, after = airings
    assert on_the_day.start.replace(tzinfo=None) == in_fold and on_the_day.start.fold == 0
    # First occurrence: the offset in force before the change, the one a week earlier has.
    assert on_the_day.start.utcoffset() == before.start.utcoffset()
    assert after.start.utcoffset() == before.start.utcoffset() - change.shift
    assert on_the_day.start_utc - before.start_utc == WEEK


def test_sao_paulo_keeps_its_clock_since_summer_time_was_abolished():
    # The clocks would have gone forward on 2019-11-03 at 00:00 under the old rule; they did not.
    zone = lookup_zone("America/Sao_Paulo")
    midnight = in_zone(parse_wall_time("2019-11-03 00:30"), zone)
    assert midnight.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive(
        "2019-11-03 00:30")
    local = weekly("America/Sao_Paulo", naive("2019-10-20 00:30"))
    assert len({a.start.utcoffset() for a in local}) == 1
    tokyo = weekly("Asia/Tokyo", naive("2019-10-20 21:00"))
    assert len({f"{a.start_utc.astimezone(zone):%H:%M}" for a in tokyo}) == 1

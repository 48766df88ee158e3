"""Expansion of schedule fixtures: the 24-29 notation, cadence, skips, moves, follows, DST."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from calfeed.schedule.wallclock import (WallTime, WallTimeGap, in_zone, parse_cadence, parse_duration,
                               parse_wall_time)
from calfeed.schedule.zones import lookup_zone

UTC = timezone.utc


def instants(airings):
    return [a.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ") for a in airings]


def test_skip_shifts_later_episodes(shows, airings_of):
    tv = airings_of(shows.skip_shifts_later_episodes)["tv"]
    assert instants(tv) == ["2024-01-10T15:55Z", "2024-01-17T15:55Z",
                            "2024-01-31T15:55Z", "2024-02-07T15:55Z"]
    assert [a.shifted for a in tv] == [False, False, True, True]


def test_move_changes_one_episode_only(shows, airings_of):
    tv = airings_of(shows.move_one_episode)["tv"]
    assert instants(tv) == ["2024-01-10T15:55Z", "2024-01-17T16:25Z", "2024-01-24T15:55Z"]
    assert [a.moved for a in tv] == [False, True, False]


def test_follows_inherits_skips_and_moves_and_adds_its_own(shows, airings_of):
    by_release = airings_of(shows.follows_inherits_skips_and_moves)
    assert instants(by_release["tv"]) == ["2024-01-10T15:55Z", "2024-01-24T17:00Z",
                                          "2024-01-31T15:55Z", "2024-02-07T15:55Z"]
    assert instants(by_release["stream"]) == ["2024-01-10T18:25Z", "2024-01-24T19:30Z",
                                              "2024-01-31T18:25Z", "2024-02-08T03:00Z"]
    assert instants(by_release["early"]) == ["2024-01-10T17:25Z", "2024-01-24T18:30Z",
                                             "2024-01-31T17:25Z", "2024-02-08T02:00Z"]
    assert [a.episode.number for a in by_release["early"]] == [13, 14, 15, 16]
    assert [a.moved for a in by_release["early"]] == [False, True, False, True]
    # A following release states its moves in the zone of the release it follows.
    assert by_release["stream"][0].release.timezone.key == "Asia/Tokyo"
    assert all(a.end - a.start == timedelta(hours=1) for a in by_release["early"])


def test_wall_time_release_keeps_local_midnight_across_dst(shows, airings_of):
    nyc = airings_of(shows.new_york_wall_time_across_dst)["nyc"]
    assert instants(nyc) == ["2024-02-29T05:00Z", "2024-03-07T05:00Z", "2024-03-14T04:00Z"]
    assert {a.start.strftime("%H:%M") for a in nyc} == {"00:00"}
    assert [a.start.strftime("%Z") for a in nyc] == ["EST", "EST", "EDT"]


def test_ambiguous_wall_time_takes_first_occurrence(shows, airings_of):
    nyc = airings_of(shows.fold_takes_first_occurrence)["nyc"]
    assert instants(nyc) == ["2024-11-03T05:30Z", "2024-11-04T06:30Z"]
    assert nyc[0].start.strftime("%Z") == "EDT"


def test_airings_are_sorted_by_instant_then_episode_then_release(shows):
    from calfeed.schedule.expand import expand_show
    airings = expand_show(shows.follows_inherits_skips_and_moves)
    keys = [(a.start.astimezone(UTC), a.episode.number, a.release.id) for a in airings]
    assert keys == sorted(keys)


def test_yaml_one_one_booleans_stay_text(shows):
    show = shows.norway_and_yes
    assert show.name() == "Yes"
    assert show.episodes[0].title() == "On"
    assert show.releases[0].regions == {"NO", "SE"}


@pytest.mark.parametrize(("text", "naive"), [
    ("2024-01-10 24:55", "2024-01-11 00:55"),
    ("2024-01-31 29:59", "2024-02-01 05:59"),
    ("2024-12-31 25:00", "2025-01-01 01:00"),
    ("2024-01-10 00:00", "2024-01-10 00:00"),
    ("2024-01-10T09:05", "2024-01-10 09:05"),
])
def test_late_night_notation(text, naive):
    assert f"{parse_wall_time(text).naive():%Y-%m-%d %H:%M}" == naive


def test_broadcast_day_is_kept_for_skip_lists():
    wall = parse_wall_time("2024-02-07 24:55")
    assert str(wall.day) == "2024-02-07" and str(wall) == "2024-02-07 24:55"


@pytest.mark.parametrize(("text", "minutes"), [
    ("30m", 30), ("1h", 60), ("1h30m", 90), ("PT1H30M", 90), ("pt45m", 45), ("P1D", 1440),
])
def test_durations(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(("text", "minutes"), [("0", 0), ("-1h", -60), ("2h30m", 150),
                                                ("-PT30M", -30)])
def test_signed_offsets(text, minutes):
    assert parse_duration(text, signed=True) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "h", "30", "1h 30m", "PT", "P", "-1h", "half an hour"])
def test_not_durations(text):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "days"), [("1 week", 7), ("2 weeks", 14), ("1 day", 1),
                                            ("3 days", 3), ("1week", 7)])
def test_cadence(text, days):
    assert parse_cadence(text) == days


@pytest.mark.parametrize("text", ["0 weeks", "weekly", "1 month", "-1 week"])
def test_not_cadences(text):
    with pytest.raises(ValueError, match="is not a cadence"):
        parse_cadence(text)


def test_gap_is_refused_and_fold_is_first():
    new_york = lookup_zone("America/New_York")
    with pytest.raises(WallTimeGap, match="2024-03-10 02:30 does not exist in America/New_York"):
        in_zone(WallTime(datetime(2024, 3, 10).date(), 2, 30), new_york)
    first = in_zone(WallTime(datetime(2024, 11, 3).date(), 1, 30), new_york)
    assert first.astimezone(UTC).hour == 5


def test_sydney_dst_in_viewer_zone_moves_local_time():
    """A Tokyo-anchored instant moves on a Sydney clock when Sydney leaves summer time."""
    tokyo, sydney = lookup_zone("Asia/Tokyo"), lookup_zone("Australia/Sydney")
    before = in_zone(parse_wall_time("2024-04-03 24:55"), tokyo).astimezone(sydney)
    after = in_zone(parse_wall_time("2024-04-10 24:55"), tokyo).astimezone(sydney)
    assert (before.strftime("%H:%M %Z"), after.strftime("%H:%M %Z")) == ("02:55 AEDT",
                                                                         "01:55 AEST")

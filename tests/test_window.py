"""Airings in a window and a show's bounds: exactly what the whole expansion gives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from calfeed.schedule.expand import expand_show
from calfeed.schedule.model import Episode, Release, Show
from calfeed.schedule.wallclock import WallTime
from calfeed.schedule.window import expand_between, plain, span
from calfeed.publish.airings import ShowAirings
from tests.conftest import BUNDLED_SCHEDULES
from calfeed.schedule.show_file import load_show

UTC = timezone.utc


def weekly(zone: str, start: WallTime, count: int, every: int = 7) -> Show:
    release = Release(id="tv", name="TV", kind="broadcast", regions=frozenset({"JP"}),
                      timezone=ZoneInfo(zone), start=start, every_days=every)
    return Show(id="long", title={"en": "Long"}, releases=(release,),
                episodes=tuple(Episode(n) for n in range(1, count + 1)))


SHOWS = {
    # An 1,800-episode weekly show late at night (hour 25 of the broadcast day).
    "long runner": weekly("Asia/Tokyo", WallTime(datetime(1992, 4, 13).date(), 25, 30), 1800),
    # Across DST changes both ways: the wall time stays, the instant moves by an hour.
    "dst": weekly("America/New_York", WallTime(datetime(2023, 1, 7).date(), 21, 0), 80),
    "daily": weekly("Europe/London", WallTime(datetime(2024, 3, 1).date(), 2, 30), 60, every=1),
    "curated, with skips, moves and follows": load_show(BUNDLED_SCHEDULES / "metallic-rouge.yaml"),
}
WINDOWS = [(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 15, tzinfo=UTC)),
           (datetime(2023, 3, 11, 12, tzinfo=UTC), datetime(2023, 3, 12, 2, 0, 1, tzinfo=UTC)),
           (datetime(2024, 3, 30, 23, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=UTC)),
           (datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)),
           (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC))]


@pytest.mark.parametrize("name", SHOWS)
@pytest.mark.parametrize("start, end", WINDOWS)
def test_windowed_airings_are_the_whole_expansions_in_the_window(name, start, end):
    show = SHOWS[name]
    whole = [a for a in expand_show(show) if start <= a.start_utc < end]
    assert list(expand_between(show, start, end)) == whole


@pytest.mark.parametrize("name", SHOWS)
def test_no_airing_starts_outside_the_span(name):
    show = SHOWS[name]
    first, last = span(show)
    airings = expand_show(show)
    assert first <= airings[0].start_utc and airings[-1].start_utc <= last
    # Never wider than a zone's offset (wall times read as UTC) and a day of slack.
    assert airings[0].start_utc - first <= timedelta(days=1, hours=14)
    assert last - airings[-1].start_utc <= timedelta(days=1, hours=14)


def test_a_long_runner_in_a_window_is_not_expanded_whole(monkeypatch):
    from calfeed.schedule import window
    monkeypatch.setattr(window, "expand_show", lambda show: pytest.fail("expanded whole"))
    show = SHOWS["long runner"]
    assert plain(show.releases[0])
    found = expand_between(show, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    # Mondays at 25:30 JST (16:30 UTC) since 13 April 1992: in January 2024 episodes 1656
    # (1 January) to 1660 (29 January).
    assert [a.episode.number for a in found] == [1656, 1657, 1658, 1659, 1660]
    assert found[0].start_utc == datetime(2024, 1, 1, 16, 30, tzinfo=UTC)


def test_kept_airings_stay_within_their_bound():
    shows = {f"s{n}": weekly("Asia/Tokyo", WallTime(datetime(2020, 1, 6).date(), 23, 0), 100)
             for n in range(5)}
    airings = ShowAirings(shows, {}, max_airings=250)
    for show_id in shows:
        assert len(airings[show_id]) == 100
    assert airings.kept == 200
    # The most recently used stay; the first ones are made again when asked for.
    assert airings["s4"] is airings["s4"]


def test_a_show_without_a_title_in_the_language_or_english_is_named_by_its_own_title():
    show = Show(id="nagai-anime", title={"ja": "ながいアニメ"}, releases=(), episodes=())
    assert show.name() == show.name("fr") == "ながいアニメ"
    assert Show(id="x", title={"ja": "カ", "en": "K"}, releases=(), episodes=()).name("fr") == "K"

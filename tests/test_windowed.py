"""Airings in a window and a show's bounds: exactly what the whole expansion gives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from calfeed.schedule.expand import expand_show
from calfeed.schedule.model import Episode, Release, Show
from calfeed.schedule.wallclock import WallTime
from calfeed.schedule.windowed import expand_between, plain, release_bounds, releases_before
from calfeed.publish.airings import ShowAirings
from tests.conftest import BUNDLED_SCHEDULES
from calfeed.schedule.show_file import load_show

UTC = timezone.utc


def weekly(zone: str, start: WallTime, count: int, every: int = 7) -> Show:
    release = Release(id="tv", name="TV", kind="broadcast", regions=frozenset({"JP"}),
                      timezone=ZoneInfo(zone), start=start, every_days=every)
    return Show(id="long", title={"en": "Long"}, releases=(release,),
                episodes=tuple(Episode(n) for n in range(1, count + 1)))


def imported_like(*releases: tuple[str, str, WallTime, int], count: int = 1) -> Show:
    """A show as the import makes them: plain releases (id, zone, start, cadence in days)."""
    return Show(id="imported", title={"en": "Imported"}, episodes=tuple(
        Episode(n) for n in range(1, count + 1)), releases=tuple(
        Release(id=rid, name=rid, kind="streaming", regions=frozenset({"JP", "US"}),
                timezone=ZoneInfo(zone), start=start, every_days=every)
        for rid, zone, start, every in releases))


SHOWS = {
    # An 1,800-episode weekly show late at night (hour 25 of the broadcast day).
    "long runner": weekly("Asia/Tokyo", WallTime(datetime(1992, 4, 13).date(), 25, 30), 1800),
    # Across DST changes both ways: the wall time stays, the instant moves by an hour.
    "dst": weekly("America/New_York", WallTime(datetime(2023, 1, 7).date(), 21, 0), 80),
    "daily": weekly("Europe/London", WallTime(datetime(2024, 3, 1).date(), 2, 30), 60, every=1),
    "curated, with skips, moves and follows": load_show(BUNDLED_SCHEDULES / "metallic-rouge.yaml"),
    # A 1963 broadcast whose streams begin decades later (as most of the imported catalogue):
    # a show-wide span would let it through every window from 1963 to 2025.
    "streams decades later": imported_like(
        ("jp-broadcast", "Asia/Tokyo", WallTime(datetime(1963, 10, 20).date(), 1, 0), 7),
        ("bilibili", "Asia/Shanghai", WallTime(datetime(2014, 5, 31).date(), 20, 33), 7),
        ("unext", "Asia/Tokyo", WallTime(datetime(2024, 1, 10).date(), 12, 0), 7), count=3),
    # Daily (P1D) in London across both changes (02:30 just after the skipped hour, 01:30 in
    # the repeated one), and fortnightly in Sydney across its own.
    "daily and fortnightly across DST": imported_like(
        ("daily-spring", "Europe/London", WallTime(datetime(2024, 3, 20).date(), 2, 30), 1),
        ("daily-autumn", "Europe/London", WallTime(datetime(2024, 10, 10).date(), 1, 30), 1),
        ("fortnightly", "Australia/Sydney", WallTime(datetime(2024, 3, 2).date(), 23, 0), 14),
        count=40),
}
WINDOWS = [(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 15, tzinfo=UTC)),
           (datetime(2023, 3, 11, 12, tzinfo=UTC), datetime(2023, 3, 12, 2, 0, 1, tzinfo=UTC)),
           (datetime(2024, 3, 30, 23, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=UTC)),
           (datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)),
           (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC)),
           (datetime(2024, 1, 8, tzinfo=UTC), datetime(2024, 1, 15, tzinfo=UTC)),
           (datetime(2024, 3, 31, 1, tzinfo=UTC), datetime(2024, 4, 7, 1, tzinfo=UTC)),
           (datetime(2024, 10, 27, tzinfo=UTC), datetime(2024, 11, 3, tzinfo=UTC))]


@pytest.mark.parametrize("name", SHOWS)
@pytest.mark.parametrize("start, end", WINDOWS)
def test_windowed_airings_are_the_whole_expansions_in_the_window(name, start, end):
    show = SHOWS[name]
    whole = [a for a in expand_show(show) if start <= a.start_utc < end]
    assert list(expand_between(show, start, end)) == whole


@pytest.mark.parametrize("name", SHOWS)
def test_no_airing_starts_outside_the_span(name):
    show = SHOWS[name]
    # The show's span: the widest of its releases' bounds.
    first = min(low for low, _ in release_bounds(show))
    last = max(high for _, high in release_bounds(show))
    airings = expand_show(show)
    assert first <= airings[0].start_utc and airings[-1].start_utc <= last
    # Never wider than a zone's offset (wall times read as UTC) and a day of slack.
    assert airings[0].start_utc - first <= timedelta(days=1, hours=14)
    assert last - airings[-1].start_utc <= timedelta(days=1, hours=14)


@pytest.mark.parametrize("name", SHOWS)
def test_each_release_keeps_within_its_own_bounds(name):
    show = SHOWS[name]
    airings = expand_show(show)
    for release, (first, last) in zip(show.releases, release_bounds(show), strict=True):
        own = [a.start_utc for a in airings if a.release.id == release.id]
        assert first <= own[0] and own[-1] <= last, release.id
        assert own[0] - first <= timedelta(days=1, hours=14)
        assert last - own[-1] <= timedelta(days=1, hours=14)


@pytest.mark.parametrize("name", SHOWS)
@pytest.mark.parametrize("start, end", WINDOWS)
def test_windowed_airings_of_some_releases(name, start, end):
    show = SHOWS[name]
    some = show.releases[1:]
    wanted = {r.id for r in some}
    whole = [a for a in expand_show(show) if start <= a.start_utc < end and a.release.id in wanted]
    assert list(expand_between(show, start, end, some)) == whole


@pytest.mark.parametrize("name", SHOWS)
def test_releases_before_a_moment_are_the_whole_expansions(name):
    """At every airing's instant, a second either side of it, and a day and an hour either
    side: exactly the releases whose airing of that episode starts earlier."""
    show = SHOWS[name]
    airings = expand_show(show)
    for airing in airings[:400]:
        for shift in (timedelta(0), timedelta(seconds=1), -timedelta(seconds=1),
                      timedelta(hours=25), -timedelta(hours=25), timedelta(hours=1)):
            moment = airing.start_utc + shift
            expected = {a.release.id for a in airings if a.episode.number ==
                        airing.episode.number and a.start_utc < moment}
            found = releases_before(show, airing.episode.number, moment)
            assert [r.id for r in found] == [r.id for r in show.releases if r.id in expected]


def test_a_release_with_nothing_in_the_window_is_not_placed_with_zoneinfo(monkeypatch):
    from calfeed.schedule import windowed
    show = SHOWS["streams decades later"]
    placed = []
    real = windowed.release_instant
    monkeypatch.setattr(windowed, "release_instant",
                        lambda release, wall, moved: placed.append(release.id) or real(
                            release, wall, moved))
    airings = ShowAirings({"imported": show}, {})
    start, end = datetime(2024, 1, 8, tzinfo=UTC), datetime(2024, 1, 15, tzinfo=UTC)
    assert [a.release.id for a in airings.between("imported", start, end)] == ["unext"]
    assert set(placed) == {"unext"}
    # Nor its episodes' other releases, whose slots are years away from the moment asked.
    placed.clear()
    assert [r.id for r in airings.releases_before("imported", 1, start)] == \
        ["jp-broadcast", "bilibili"]
    assert placed == []
    # The show-wide span covers 1963 to 2024; the releases' bounds leave out 1990.
    assert airings.shows_between(datetime(1990, 1, 1, tzinfo=UTC),
                                 datetime(1990, 2, 1, tzinfo=UTC)) == ()
    assert airings.shows_between(start, end) == ("imported",)


def test_show_airings_answer_as_the_whole_expansion():
    """What ShowAirings answers from arithmetic is what it answers once the show is kept."""
    shows = {name: show for name, show in SHOWS.items()}
    lazy, kept = ShowAirings(shows, {}), ShowAirings(shows, {})
    for name in shows:
        kept[name]   # expanded whole and kept: answers from it
    # Expanded at load, as curated shows are: windows bisected, episodes indexed.
    fixed = ShowAirings(shows, {name: expand_show(show) for name, show in shows.items()})
    for start, end in WINDOWS:
        # Bounds, not airings: every show airing then, perhaps a few more, in catalogue order.
        through = lazy.shows_between(start, end)
        assert set(through) >= {name for name in shows if lazy.between(name, start, end)}
        assert list(through) == [name for name in shows if name in through]
        for name, show in shows.items():
            assert lazy.between(name, start, end) == kept.between(name, start, end) == \
                fixed.between(name, start, end)
            for number in (show.episodes[0].number, show.episodes[-1].number):
                assert lazy.releases_before(name, number, start) == \
                    kept.releases_before(name, number, start) == \
                    fixed.releases_before(name, number, start)


def test_a_long_runner_in_a_window_is_not_expanded_whole(monkeypatch):
    from calfeed.schedule import windowed
    monkeypatch.setattr(windowed, "expand_show", lambda show: pytest.fail("expanded whole"))
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
    assert airings.kept_airings == 200
    # The most recently used stay; the first ones are made again when asked for.
    assert airings["s4"] is airings["s4"]


def test_a_show_without_a_title_in_the_language_or_english_is_named_by_its_own_title():
    show = Show(id="nagai-anime", title={"ja": "ながいアニメ"}, releases=(), episodes=())
    assert show.name() == show.name("fr") == "ながいアニメ"
    assert Show(id="x", title={"ja": "カ", "en": "K"}, releases=(), episodes=()).name("fr") == "K"


def two_releases() -> Show:
    """Plain releases in different regions, as an imported show has."""
    tokyo = Release(id="tv", name="TV", kind="broadcast", regions=frozenset({"JP"}),
                    timezone=ZoneInfo("Asia/Tokyo"),
                    start=WallTime(datetime(2024, 1, 10).date(), 24, 55), every_days=7)
    stream = Release(id="stream", name="Stream", kind="streaming",
                     regions=frozenset({"US", "JP"}), timezone=ZoneInfo("America/New_York"),
                     start=WallTime(datetime(2024, 1, 10).date(), 13, 25), every_days=7)
    return Show(id="two", title={"en": "Two"}, releases=(tokyo, stream),
                episodes=tuple(Episode(n) for n in range(1, 14)))


@pytest.mark.parametrize("show", [two_releases(), SHOWS["curated, with skips, moves and follows"]],
                         ids=["plain", "curated"])
@pytest.mark.parametrize("region", ["JP", "US", "FR"])
@pytest.mark.parametrize("start, end", WINDOWS[:3])
def test_windowed_airings_in_a_region_are_its_releases_of_the_whole(show, region, start, end):
    whole = [a for a in expand_show(show) if start <= a.start_utc < end
             and a.release.watchable_in(region)]
    airings = ShowAirings({show.id: show}, {})
    assert list(airings.between(show.id, start, end, region)) == whole
    airings[show.id]                        # expanded whole and kept: filtered from that
    assert list(airings.between(show.id, start, end, region)) == whole

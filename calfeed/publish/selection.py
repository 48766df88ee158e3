"""Selection: which airings a region sees, by default the earliest release of each episode."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Iterable

from ..schedule.model import Airing, Release, Show

# A region feed covers airings from two weeks before today to two months after: with thousands
# of shows, every episode ever would be far past Google Calendar's size limit and mostly past.
WINDOW_BEFORE = timedelta(days=14)
WINDOW_AFTER = timedelta(days=60)


def region_window(now: datetime) -> tuple[datetime, datetime]:
    """The airings a region feed carries: those starting in this window around `now`, whole
    days in UTC so that every request of a day shares one selection."""
    today = datetime.combine(now.astimezone(timezone.utc).date(), time(0), tzinfo=timezone.utc)
    return today - WINDOW_BEFORE, today + WINDOW_AFTER + timedelta(days=1)


def select_airings(airings: Iterable[Airing], region: str, *,
                   release_ids: frozenset[str] | None = None,
                   all_releases: bool = False) -> list[Airing]:
    """The airings watchable in a region, in the input's order.

    By default one per show and episode: the earliest of the releases watchable there (in
    Japan the broadcast, in the US the stream; a dated airing counts at its day's end, so a
    timed one the same day is preferred); `release_ids` narrows the candidates first,
    and `all_releases` keeps every candidate instead of the earliest.
    """
    candidates = [a for a in airings if a.release.watchable_in(region)
                  and (release_ids is None or a.release.id in release_ids)]
    if all_releases:
        return candidates
    earliest: dict[tuple[str, int], Airing] = {}
    for airing in candidates:
        key = (airing.show.id, airing.episode.number)
        best = earliest.get(key)
        if best is None or airing.latest_start < best.latest_start:
            earliest[key] = airing
    chosen = set(map(id, earliest.values()))
    return [a for a in candidates if id(a) in chosen]


def other_releases(show: Show, release: Release, region: str) -> tuple[Release, ...]:
    """The other ways to watch a show's episodes in a region, in the schedule's order."""
    return tuple(r for r in show.releases if r.id != release.id and r.watchable_in(region))


def where_watchable(show: Show) -> str:
    """'Fuji TV +Ultra: JP; Crunchyroll: world except asia', for people told 'not here'."""
    return "; ".join(f"{r.name}: {r.regions_text}" for r in show.releases)

"""Airings in a time window, and a show's first and last instant, without expanding it whole.

Imported long runners have thousands of episodes on several releases: a region feed or a
schedule window wants a few weeks of them. A release on its own plain cadence (no skips, no
moves, following no other) puts episode i at its start plus i cadences, so the episodes that
can fall in a window are found by arithmetic and only those are made. Everything else (curated
schedules with skips, moves and follows) is expanded whole and filtered: the same airings as
`expand_show`, as the tests check.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .expand import airing_order, expand_show, _airing, _instant
from .model import Airing, Release, Show
from .wallclock import UTC

# How far a wall time's instant can stray from plain arithmetic on the first one: offsets
# change (DST, a zone's new standard time) by a few hours at most; a day is generous.
SLACK = timedelta(days=1)


def plain(release: Release) -> bool:
    """A release whose airings follow from its start and cadence alone."""
    return release.follows is None and not release.skip and not release.moves


def expand_between(show: Show, start: datetime, end: datetime) -> tuple[Airing, ...]:
    """The airings of a show starting in [start, end) (aware instants), in `airing_order`."""
    if not all(plain(r) for r in show.releases):
        return tuple(a for a in expand_show(show) if start <= a.start_utc < end)
    found = []
    for release in show.releases:
        found += _plain_between(show, release, start, end)
    return tuple(sorted(found, key=airing_order))


def span(show: Show) -> tuple[datetime, datetime]:
    """Bounds no airing of the show starts outside: (first, last) instants, up to SLACK wider
    on each side. Plain arithmetic on wall times read as UTC (no zone offset reaches a day),
    so that bounding thousands of shows costs microseconds each."""
    if not all(plain(r) for r in show.releases):
        airings = expand_show(show)
        return airings[0].start_utc, airings[-1].start_utc
    last = timedelta(days=len(show.episodes) - 1)
    first = min(r.start.naive() for r in show.releases)
    final = max(r.start.naive() + last * r.every_days for r in show.releases)
    return first.replace(tzinfo=UTC) - SLACK, final.replace(tzinfo=UTC) + SLACK


def _plain_between(show: Show, release: Release, start: datetime,
                   end: datetime) -> list[Airing]:
    first = _instant(release, release.start, None)
    step = timedelta(days=release.every_days)
    count = len(show.episodes)
    low = max(0, (start - first - SLACK) // step)
    high = min(count, (end - first + SLACK) // step + 1)
    airings = []
    for index in range(low, high):
        wall = release.start.plus_days(index * release.every_days)
        airing = _airing(show, show.episodes[index], release, _instant(release, wall, None),
                         moved=False, shifted=False)
        if start <= airing.start_utc < end:
            airings.append(airing)
    return airings

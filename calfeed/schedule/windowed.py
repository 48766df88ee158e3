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

from .expand import airing_order, expand_show, make_airing, release_instant
from .model import Airing, Release, Show
from .wallclock import UTC

# The bounds of a release with no airings (listed without dates): met by no window.
NEVER = (datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC))

# How far a wall time's instant can stray from plain arithmetic on the first one: offsets
# change (DST, a zone's new standard time) by a few hours at most; a day is generous.
SLACK = timedelta(days=1)


def plain(release: Release) -> bool:
    """A release whose airings follow from its start and cadence alone."""
    return release.follows is None and not release.skip and not release.moves


def expand_between(show: Show, start: datetime, end: datetime,
                   releases: tuple[Release, ...] | None = None) -> tuple[Airing, ...]:
    """The airings of a show starting in [start, end) (aware instants), in `airing_order`;
    with `releases`, of those releases only (the others known to have nothing then)."""
    chosen = show.releases if releases is None else releases
    if not all(plain(r) for r in show.releases):
        ids = {r.id for r in chosen}
        return tuple(a for a in expand_show(show)
                     if start <= a.start_utc < end and a.release.id in ids)
    found = []
    for release in chosen:
        found += _plain_between(show, release, start, end)
    return tuple(sorted(found, key=airing_order))


def releases_before(show: Show, number: int, moment: datetime) -> tuple[Release, ...]:
    """The releases whose airing of an episode starts before `moment`, in the show's order.
    For a plain show, each slot's wall time read as UTC is within SLACK of its instant, so
    zoneinfo is asked only about a slot within a day of `moment`: deciding costs arithmetic."""
    if not all(plain(r) for r in show.releases):
        before = {a.release.id for a in expand_show(show)
                  if a.episode.number == number and a.start_utc < moment}
        return tuple(r for r in show.releases if r.id in before)
    index = number - show.episodes[0].number
    found = []
    for release in show.releases:
        if not release.dated:
            continue
        near = (release.start.naive() + timedelta(days=index * release.every_days)
                ).replace(tzinfo=UTC)
        if near + SLACK <= moment:
            found.append(release)
        elif near - SLACK < moment:
            wall = release.start.plus_days(index * release.every_days)
            if release_instant(release, wall, None) < moment:
                found.append(release)
    return tuple(found)


def airing_of(show: Show, release: Release, number: int) -> Airing | None:
    """The release's airing of an episode: by arithmetic on a plain release, else from the
    show's whole expansion; None where the release places none."""
    if not release.dated:
        return None
    if not all(plain(r) for r in show.releases):
        return next((a for a in expand_show(show)
                     if a.release.id == release.id and a.episode.number == number), None)
    index = number - show.episodes[0].number
    if not 0 <= index < len(show.episodes):
        return None
    wall = release.start.plus_days(index * release.every_days)
    return make_airing(show, show.episodes[index], release,
                       release_instant(release, wall, None), moved=False, shifted=False)


def release_bounds(show: Show) -> tuple[tuple[datetime, datetime], ...]:
    """For each of the show's releases, in order, bounds no airing of it starts outside:
    (first, last) instants, up to SLACK wider on each side for a plain show. Plain arithmetic
    on wall times read as UTC (no zone offset reaches a day), so that bounding the thousands
    of releases of the catalogue costs microseconds each; other shows are expanded whole."""
    if not all(plain(r) for r in show.releases):
        return whole_bounds(show, expand_show(show))
    last = timedelta(days=len(show.episodes) - 1)
    return tuple((r.start.naive().replace(tzinfo=UTC) - SLACK,
                  (r.start.naive() + last * r.every_days).replace(tzinfo=UTC) + SLACK)
                 if r.dated else NEVER for r in show.releases)


def whole_bounds(show: Show, airings: tuple[Airing, ...]) -> tuple[tuple[datetime, datetime], ...]:
    """Each release's exact first and last instants, from the show's whole expansion."""
    found: dict[str, tuple[datetime, datetime]] = {}
    for airing in airings:   # in start order: the first seen is the first, the last the last
        first = found.get(airing.release.id, (airing.start_utc,))[0]
        found[airing.release.id] = (first, airing.start_utc)
    return tuple(found.get(r.id, NEVER) for r in show.releases)


def _plain_between(show: Show, release: Release, start: datetime,
                   end: datetime) -> list[Airing]:
    if not release.dated:
        return []
    # The first wall time read as UTC: each instant is its wall time less the zone's offset
    # then, which is under a day (SLACK) either way, so no zoneinfo is needed to find the range.
    first = release.start.naive().replace(tzinfo=UTC)
    step = timedelta(days=release.every_days)
    count = len(show.episodes)
    low = max(0, (start - first - SLACK) // step)
    high = min(count, (end - first + SLACK) // step + 1)
    airings = []
    for index in range(low, high):
        # A slot more than SLACK from the window (as its wall time read as UTC) cannot start
        # in it: only the slots near an edge need zoneinfo to be placed.
        near = first + index * step
        if near + SLACK <= start or near - SLACK >= end:
            continue
        wall = release.start.plus_days(index * release.every_days)
        airing = make_airing(show, show.episodes[index], release,
                             release_instant(release, wall, None), moved=False, shifted=False)
        if start <= airing.start_utc < end:
            airings.append(airing)
    return airings

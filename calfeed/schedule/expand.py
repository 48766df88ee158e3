"""Expansion: a validated show to its airings, one per episode and release; pure, no clock."""

from __future__ import annotations

from datetime import datetime

from ..errors import ExpansionError
from .model import Airing, Release, Show
from .wallclock import UTC, WallTime, WallTimeGap, in_zone


def expand_show(show: Show) -> tuple[Airing, ...]:
    """Every airing of every release of a show, sorted by instant, then episode and release."""
    done: dict[str, list[Airing]] = {}

    def airings_of(release: Release) -> list[Airing]:
        # Validation has refused follows cycles, so this recursion ends.
        if release.id not in done:
            if release.follows:
                done[release.id] = _follow(show, release, airings_of(show.release(release.follows)))
            else:
                done[release.id] = _own_schedule(show, release)
        return done[release.id]

    everything = [a for release in show.releases for a in airings_of(release)]
    return tuple(sorted(everything, key=airing_order))


def airing_order(airing: Airing) -> tuple:
    """The order every output lists airings in: instant, show, episode, release."""
    return (airing.start_utc, airing.show.id, airing.episode.number, airing.release.id)


def releases_in(show: Show, region: str) -> tuple[Release, ...]:
    """The releases of a show that can be watched in a region (an ISO 3166-1 code)."""
    return tuple(r for r in show.releases if r.watchable_in(region))


def _own_schedule(show: Show, release: Release) -> list[Airing]:
    if not release.dated:
        return []      # a platform that lists the show with no dates: nothing to place
    skipped = set(release.skip)
    moves = {m.episode: m.to for m in release.moves}
    airings = []
    slot = 0
    for episode in show.episodes:
        shifted = False
        while skipped and release.start.plus_days(slot * release.every_days).day in skipped:
            slot, shifted = slot + 1, True
        wall = moves.get(episode.number, release.start.plus_days(slot * release.every_days))
        slot += 1
        start = release_instant(release, wall,
                                episode.number if episode.number in moves else None)
        airings.append(make_airing(show, episode, release, start, moved=episode.number in moves,
                                   shifted=shifted or bool(airings and airings[-1].shifted)))
    return airings


def _follow(show: Show, release: Release, leader: list[Airing]) -> list[Airing]:
    moves = {m.episode: m.to for m in release.moves}
    airings = []
    for led in leader:
        if led.episode.number in moves:
            start = release_instant(release, moves[led.episode.number], led.episode.number)
        else:
            start = (led.start_utc + release.offset).astimezone(release.timezone)
        airings.append(make_airing(show, led.episode, release, start,
                                   moved=led.moved or led.episode.number in moves,
                                   shifted=led.shifted))
    return airings


def release_instant(release: Release, wall: WallTime, moved_episode: int | None) -> datetime:
    """A release's wall time as an instant in its zone; a time in a clock change's gap is an
    ExpansionError naming the release (and the moved episode, if it is one)."""
    try:
        return in_zone(wall, release.timezone)
    except WallTimeGap as gap:
        raise ExpansionError(release.id, str(gap), moved_episode=moved_episode) from None


def make_airing(show, episode, release, start: datetime, *, moved: bool, shifted: bool) -> Airing:
    """One episode of one release at `start`, with its end and both instants in UTC."""
    # Add the length in UTC: aware arithmetic in the zone would add wall-clock time and be an
    # hour off for an airing that spans a clock change.
    start_utc = start.astimezone(UTC)
    end_utc = start_utc + show.duration
    return Airing(show, episode, release, start, end_utc.astimezone(start.tzinfo), moved=moved,
                  shifted=shifted, start_utc=start_utc, end_utc=end_utc)

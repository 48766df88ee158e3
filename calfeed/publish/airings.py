"""Every show's airings by show id: curated shows expanded at load, imported ones on first use.

Expanding the whole imported catalogue takes seconds and some 250 MB (about 250,000 airings),
so an imported show is expanded when a feed, page or API document first needs it, kept, and
dropped again (least recently used) once more than `max_airings` are kept. A window of airings
(a region feed, a schedule) is made by `schedule.windowed` without expanding long runners whole.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from typing import Iterator, Mapping

from ..lru import BoundedLRU
from ..schedule.expand import expand_show
from ..schedule.model import Airing, Release, Show
from ..schedule.windowed import (expand_between, plain, release_bounds, releases_before,
                               whole_bounds)

# About 1 KB an airing: 100,000 kept airings are some 100 MB per worker, and hold every show
# feed asked for in a day but the few longest runners.
MAX_AIRINGS = 100_000


class ShowAirings(Mapping[str, tuple[Airing, ...]]):
    """Read-only mapping show id -> its airings in `airing_order`, expanded on demand."""

    def __init__(self, shows: Mapping[str, Show], expanded: Mapping[str, tuple[Airing, ...]],
                 max_airings: int = MAX_AIRINGS):
        self._shows = shows
        self._fixed = dict(expanded)            # curated: made (and validated) at load
        # Imported shows' whole expansions, costed by their count of airings.
        self._expanded: BoundedLRU[tuple[Airing, ...]] = BoundedLRU(max_airings)
        # Each release's bounds, worked out once: a region feed or a week asks them of
        # thousands of shows. Per release, not per show: an imported show's streams often
        # begin decades after its broadcast ended, and a show-wide span would let it through
        # every window between. POSIX seconds, flat (first, last, first, last, ...): some
        # 35,000 releases cost about 2 MB so, and comparing floats is the cheapest test.
        self._bounds = {show_id: _seconds(whole_bounds(show, whole)
                                          if (whole := self._fixed.get(show_id))
                                          else release_bounds(show))
                        for show_id, show in shows.items()}
        # The same bounds as three parallel lists over every release, for shows_between.
        self._flat = ([], [], [])
        for show_id, bounds in self._bounds.items():
            self._flat[0].extend(bounds[0::2])
            self._flat[1].extend(bounds[1::2])
            self._flat[2].extend([show_id] * (len(bounds) // 2))
        # Curated shows' airings by episode, made on first use (releases_before).
        self._episodes: dict[str, dict[int, list[Airing]]] = {}

    def __getitem__(self, show_id: str) -> tuple[Airing, ...]:
        found = self._fixed.get(show_id)
        if found is not None:
            return found
        show = self._shows[show_id]             # KeyError for an unknown show, as a dict
        return self._expanded.get_or_make(show_id, lambda: expand_show(show), len)

    def __iter__(self) -> Iterator[str]:
        return iter(self._shows)

    def __len__(self) -> int:
        return len(self._shows)

    def __contains__(self, show_id) -> bool:
        return show_id in self._shows

    @property
    def kept_airings(self) -> int:
        """How many imported airings are kept now (bounded by max_airings)."""
        return self._expanded.cost

    def between(self, show_id: str, start: datetime, end: datetime,
                region: str | None = None) -> tuple[Airing, ...]:
        """The show's airings starting in [start, end), on its releases watchable in `region`
        if one is named (a region feed sees no others, and an imported show has up to a dozen
        releases, most elsewhere): from what is expanded already, else made for the window
        alone, on the releases that can air then (nothing kept: the caller memoises its own
        result)."""
        releases = self._releases_between(show_id, start, end)
        show = self._shows[show_id]
        if region is not None:
            releases = [i for i in releases if show.releases[i].watchable_in(region)]
        if not releases:
            return ()
        whole = self._whole(show_id)
        if whole is not None:
            # In start order: a long runner's window is found by bisection, not a scan.
            low = bisect_left(whole, start, key=_start)
            found = whole[low:bisect_left(whole, end, lo=low, key=_start)]
            return found if region is None else tuple(
                a for a in found if a.release.watchable_in(region))
        return expand_between(show, start, end, tuple(show.releases[i] for i in releases))

    def releases_before(self, show_id: str, number: int, moment: datetime) -> tuple[Release, ...]:
        """The releases whose airing of an episode starts before `moment`, in the show's
        order: by arithmetic for a plain show (windowed.releases_before), else from its whole
        expansion, indexed by episode once for a curated show (a long runner's thousands of
        airings are not scanned for each episode)."""
        show = self._shows[show_id]
        if all(plain(r) for r in show.releases):
            return releases_before(show, number, moment)
        episodes = self._episodes.get(show_id)
        if episodes is None:
            episodes = {}
            for airing in self[show_id]:
                episodes.setdefault(airing.episode.number, []).append(airing)
            if show_id in self._fixed:
                self._episodes[show_id] = episodes   # one assignment: races are harmless
        before = {a.release.id for a in episodes.get(number, ()) if a.start_utc < moment}
        return tuple(r for r in show.releases if r.id in before)

    def shows_between(self, start: datetime, end: datetime) -> tuple[str, ...]:
        """The shows (in the catalogue's order) with a release whose bounds meet [start, end):
        one pass over flat lists of every release's bounds, a few milliseconds for the whole
        imported catalogue, where asking each show costs a call each."""
        low, high = start.timestamp(), end.timestamp()
        firsts, lasts, owners = self._flat
        found = dict.fromkeys(owners[i] for i in range(len(firsts))
                              if firsts[i] < high and low <= lasts[i])
        return tuple(found)

    def may_air_between(self, show_id: str, start: datetime, end: datetime) -> bool:
        """False when no airing of the show can start in [start, end): cheap, no expansion."""
        return bool(self._releases_between(show_id, start, end))

    def _releases_between(self, show_id: str, start: datetime, end: datetime) -> list[int]:
        """The positions of the show's releases whose bounds meet [start, end)."""
        bounds = self._bounds[show_id]
        low, high = start.timestamp(), end.timestamp()
        return [i // 2 for i in range(0, len(bounds), 2)
                if bounds[i] < high and low <= bounds[i + 1]]

    def _whole(self, show_id: str) -> tuple[Airing, ...] | None:
        """The show's whole expansion if it is at hand (curated, or kept), else None."""
        whole = self._fixed.get(show_id)
        return whole if whole is not None else self._expanded.get(show_id, None)


def _start(airing: Airing) -> datetime:
    return airing.start_utc


def _seconds(bounds) -> tuple[float, ...]:
    return tuple(moment.timestamp() for pair in bounds for moment in pair)

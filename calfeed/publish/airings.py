"""Every show's airings by show id: curated shows expanded at load, imported ones on first use.

Expanding the whole imported catalogue takes seconds and some 250 MB (about 250,000 airings),
so an imported show is expanded when a feed, page or API document first needs it, kept, and
dropped again (least recently used) once more than `max_airings` are kept. A window of airings
(a region feed, a schedule) is made by `schedule.window` without expanding long runners whole.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Iterator, Mapping

from ..schedule.expand import expand_show
from ..schedule.model import Airing, Show
from ..schedule.window import expand_between, span

# About 1 KB an airing: 100,000 kept airings are some 100 MB per worker, and hold every show
# feed asked for in a day but the few longest runners.
MAX_AIRINGS = 100_000


class ShowAirings(Mapping[str, tuple[Airing, ...]]):
    """Read-only mapping show id -> its airings in `airing_order`, expanded on demand."""

    def __init__(self, shows: Mapping[str, Show], expanded: Mapping[str, tuple[Airing, ...]],
                 max_airings: int = MAX_AIRINGS):
        self._shows = shows
        self._fixed = dict(expanded)            # curated: made (and validated) at load
        self._kept: OrderedDict[str, tuple[Airing, ...]] = OrderedDict()
        self._kept_count = 0
        self._max = max_airings
        # Each show's bounds, worked out once: a region feed asks them of thousands of shows.
        self._spans = {show_id: ((whole[0].start_utc, whole[-1].start_utc)
                                 if (whole := self._fixed.get(show_id)) else span(show))
                       for show_id, show in shows.items()}
        # Request threads share a data version; values are made outside the lock.
        self._lock = threading.Lock()

    def __getitem__(self, show_id: str) -> tuple[Airing, ...]:
        found = self._fixed.get(show_id)
        if found is not None:
            return found
        show = self._shows[show_id]             # KeyError for an unknown show, as a dict
        with self._lock:
            found = self._kept.get(show_id)
            if found is not None:
                self._kept.move_to_end(show_id)
                return found
        made = expand_show(show)
        with self._lock:
            if show_id not in self._kept:
                self._kept[show_id] = made
                self._kept_count += len(made)
            while self._kept_count > self._max and len(self._kept) > 1:
                _, dropped = self._kept.popitem(last=False)
                self._kept_count -= len(dropped)
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._shows)

    def __len__(self) -> int:
        return len(self._shows)

    def __contains__(self, show_id) -> bool:
        return show_id in self._shows

    @property
    def kept(self) -> int:
        """How many imported airings are kept now (bounded by max_airings)."""
        return self._kept_count

    def between(self, show_id: str, start: datetime, end: datetime) -> tuple[Airing, ...]:
        """The show's airings starting in [start, end): from what is expanded already, else
        made for the window alone (nothing kept: the caller memoises its own result)."""
        if not self.may_air_between(show_id, start, end):
            return ()
        whole = self._fixed.get(show_id)
        if whole is None:
            with self._lock:
                whole = self._kept.get(show_id)
        if whole is not None:
            return tuple(a for a in whole if start <= a.start_utc < end)
        return expand_between(self._shows[show_id], start, end)

    def may_air_between(self, show_id: str, start: datetime, end: datetime) -> bool:
        """False when no airing of the show can start in [start, end): cheap, no expansion."""
        first, last = self._spans[show_id]
        return first < end and start <= last

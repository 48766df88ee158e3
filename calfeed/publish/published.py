"""What is being served: one catalogue with its revisions, and what is worked out from it once."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from .catalogue import Catalogue, load_catalogue
from ..schedule.expand import airing_order
from ..lru import BoundedLRU
from ..schedule.model import Airing
from ..source.loading import Imported
from .revisions import Revision, RevisionStore, shared_print
from .selection import select_airings

# Memo values are the bytes of API answers and the airing lists of feeds and weeks: the bound
# (config MEMO_MAX_BYTES) keeps what requests with new keys can add from growing without end.
MEMO_BYTES = 16_000_000
# A key, its tuple and the dictionary slot, besides the key's strings (counted by length).
ENTRY_OVERHEAD = 256
# An airing in a memo value: its object, four datetimes and an episode (tracemalloc: 460-555
# bytes per airing expanded). Counted for every airing of a list, also those the catalogue
# keeps anyway: a window's airings are made for the value alone and nothing here tells which.
AIRING_BYTES = 512

Window = tuple[datetime, datetime]   # [start, end) instants


def memo_cost(key, value) -> int:
    """About how many bytes a memo entry holds: its key (request paths and queries can be long)
    and its value."""
    return ENTRY_OVERHEAD + _size(key) + _size(value)


def _size(value) -> int:
    if isinstance(value, (bytes, str)):
        return len(value)
    if isinstance(value, (list, tuple, frozenset)):
        return 8 * len(value) + 64 + sum(_size(item) for item in value)
    if isinstance(value, Airing):
        return AIRING_BYTES
    if isinstance(value, dict):
        return 100 * len(value) + 64 + sum(_size(k) + _size(v) for k, v in value.items())
    return 32    # a number, a date, a small object of the catalogue's


@dataclass(frozen=True)
class Revisions:
    """Every event's revision: curated events each their own (by `Airing.uid` or
    `Airing.episode_key`), imported shows one for all their events (by `Show.uid_key`)."""

    events: Mapping[str, Revision]
    shared: Mapping[str, Revision] = field(default_factory=dict)

    def values(self):
        return [*self.events.values(), *self.shared.values()]

    @property
    def top(self) -> int | None:
        """The highest SEQUENCE among them; None when there are none."""
        return max((r.sequence for r in self.values()), default=None)


@dataclass(frozen=True)
class Published:
    """An immutable data version as served: replaced whole on reload, never changed in place."""

    catalogue: Catalogue
    revisions: Revisions
    first_loaded: datetime            # when this data version was first loaded anywhere
    loaded_at: datetime               # when this process loaded it
    changed_at: datetime              # the later of the first load and any event's change
    # Bytes the memo may hold (memo_cost), the least recently used going first.
    memo_max_bytes: int = field(default=MEMO_BYTES, compare=False)
    _memo: BoundedLRU = field(default=None, repr=False, compare=False)
    _beside: dict = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_memo", BoundedLRU(self.memo_max_bytes))

    def memo(self, key: tuple, make: Callable):
        """A value worked out once per data version; the least recently used go past a bound
        in bytes, because keys come from requests and must not grow without end."""
        return self._memo.get_or_make(key, make, lambda value: memo_cost(key, value))

    def beside(self, name: str, make: Callable):
        """One object per data version that other layers keep beside it (the rendered events,
        the indexes): names come from code, not requests, so these are not bounded."""
        with self._lock:
            if name not in self._beside:
                self._beside[name] = make()
            return self._beside[name]

    def airings(self, show_ids: tuple[str, ...], window: Window | None = None,
                region: str | None = None) -> list[Airing]:
        """These shows' airings in `airing_order`: all of them, or those starting in a window
        (made for the window alone, so a long runner is not expanded whole for it), there
        only on the releases watchable in `region` if one is named."""
        airings = self.catalogue.airings
        if window is None:
            found = [a for show_id in show_ids for a in airings[show_id]]
        else:
            found = [a for show_id in show_ids
                     for a in airings.between(show_id, *window, region=region)]
        if len(show_ids) > 1:
            found.sort(key=airing_order)
        return found

    def selection(self, region: str, show_ids: tuple[str, ...],
                  release_ids: frozenset[str] | None, all_releases: bool,
                  window: Window | None = None) -> list[Airing]:
        """The airings a feed of these shows shows in a region (those starting in `window`, if
        given); worked out once per data version."""
        def make():
            return select_airings(self.airings(show_ids, window, region), region,
                                  release_ids=release_ids, all_releases=all_releases)
        return self.memo(("selection", region, show_ids, release_ids, all_releases, window),
                         make)


def publish(directory: Path, store: RevisionStore, now: datetime,
            files: dict[str, bytes] | None = None, imported: Imported | None = None,
            memo_max_bytes: int = MEMO_BYTES) -> Published:
    """Load a folder of schedules (or given bytes of its files) with the imported shows, and
    record their revisions; raises CatalogueError when the folder is invalid. `memo_max_bytes`
    bounds what `Published.memo` keeps.

    Curated events get a revision each; an imported show gets one for all its events, so
    start-up records some 8,500 rows rather than the 600,000 events the catalogue makes.
    """
    catalogue = load_catalogue(directory, files, imported)
    curated = tuple(sorted((a for show_id in catalogue.shows if show_id not in catalogue.imported
                            for a in catalogue.airings[show_id]), key=airing_order))
    events, first_loaded = store.record(curated, catalogue.version, now)
    shared = {}
    if catalogue.imported:
        # Worked out when the dataset was installed, when this code did it (index/derived.py).
        prints = catalogue.imported_from.derived_part("prints") if catalogue.imported_from else {}
        shared = store.record_shared(
            ((show.uid_key, prints.get(show.uid_key) or shared_print(show))
             for show in (catalogue.shows[show_id] for show_id in sorted(catalogue.imported))), now)
    revisions = Revisions(events=events, shared=shared)
    changed = max([first_loaded, *(r.modified for r in revisions.values())])
    return Published(catalogue=catalogue, revisions=revisions, first_loaded=first_loaded,
                     loaded_at=now, changed_at=changed, memo_max_bytes=memo_max_bytes)

"""What is being served: one catalog with its revisions, and what is worked out from it once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from .catalog import Catalog, load_catalog
from ..schedule.expand import airing_order
from ..schedule.model import Airing
from .revisions import Revision, RevisionStore
from .selection import select_airings

# Memo values are the bytes of API answers and the airing lists of feeds; 32 MB of them keeps
# every feed and answer of the data at hand, and bounds what requests with new keys can add.
MEMO_BYTES = 32_000_000
ENTRY_OVERHEAD = 256   # a key, its tuple and the dictionary slot, roughly


def memo_cost(value) -> int:
    """About how many bytes a memo value holds of its own (airings belong to the catalog)."""
    if isinstance(value, (bytes, str)):
        return len(value) + ENTRY_OVERHEAD
    if isinstance(value, (list, tuple)):
        return 8 * len(value) + 64 + ENTRY_OVERHEAD
    return ENTRY_OVERHEAD


@dataclass(frozen=True)
class Published:
    """An immutable data version as served: replaced whole on reload, never changed in place."""

    catalog: Catalog
    revisions: Mapping[str, Revision]
    first_loaded: datetime            # when this data version was first loaded anywhere
    loaded_at: datetime               # when this process loaded it
    all_airings: tuple[Airing, ...]   # every show's airings in one order
    _memo: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)
    _memo_bytes: list = field(default_factory=lambda: [0], repr=False, compare=False)
    _kept: dict = field(default_factory=dict, repr=False, compare=False)
    # Request threads share a data version: without the lock, two threads evicting at once make
    # a check-then-move_to_end raise KeyError.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def changed_at(self) -> datetime:
        """The latest change in this data: the later of its first load and any event's change."""
        return max([self.first_loaded, *(r.modified for r in self.revisions.values())])

    def memo(self, key: tuple, make: Callable):
        """A value worked out once per data version; the least recently used go past a bound
        in bytes, because keys come from requests and must not grow without end."""
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                return found[0]
        # Made outside the lock: two threads may both make a value, never block each other.
        value = make()
        cost = memo_cost(value)
        with self._lock:
            if key not in self._memo:
                self._memo[key] = (value, cost)
                self._memo_bytes[0] += cost
            while self._memo_bytes[0] > MEMO_BYTES and len(self._memo) > 1:
                _, (_, dropped) = self._memo.popitem(last=False)
                self._memo_bytes[0] -= dropped
        return value

    def kept(self, name: str, make: Callable):
        """One object per data version that other layers keep beside it (the rendered events):
        names come from code, not requests, so these are not bounded."""
        with self._lock:
            if name not in self._kept:
                self._kept[name] = make()
            return self._kept[name]

    def selection(self, region: str, show_ids: tuple[str, ...],
                  release_ids: frozenset[str] | None, all_releases: bool) -> list[Airing]:
        """The airings a feed of these shows shows in a region; worked out once per data version."""
        def make():
            wanted = set(show_ids)
            airings = (self.catalog.airings[show_ids[0]] if len(show_ids) == 1 else
                       [a for a in self.all_airings if a.show.id in wanted])
            return select_airings(airings, region, release_ids=release_ids,
                                  all_releases=all_releases)
        return self.memo(("selection", region, show_ids, release_ids, all_releases), make)


def publish(directory: Path, store: RevisionStore, now: datetime,
            files: dict[str, bytes] | None = None) -> Published:
    """Load a folder of schedules (or given bytes of its files) and record its revisions;
    raises CatalogError when invalid."""
    catalog = load_catalog(directory, files)
    all_airings = tuple(sorted((a for airings in catalog.airings.values() for a in airings),
                               key=airing_order))
    revisions, first_loaded = store.record(all_airings, catalog.version, now)
    return Published(catalog=catalog, revisions=revisions, first_loaded=first_loaded,
                     loaded_at=now, all_airings=all_airings)

"""What is being served: one catalog with its revisions and rendered events, built at load."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from .catalog import Catalog, load_catalog
from ..schedule.expand import airing_order
from ..render.ics import EventCache
from ..schedule.model import Airing
from .revisions import Revision, RevisionStore
from .selection import select_airings

MEMO_ENTRIES = 4096


@dataclass(frozen=True)
class Published:
    """An immutable data version as served: replaced whole on reload, never changed in place."""

    catalog: Catalog
    revisions: Mapping[str, Revision]
    first_loaded: datetime            # when this data version was first loaded anywhere
    loaded_at: datetime               # when this process loaded it
    all_airings: tuple[Airing, ...]   # every show's airings in one order
    events: EventCache
    _memo: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)

    @property
    def changed_at(self) -> datetime:
        """The latest change in this data: the later of its first load and any event's change."""
        return max([self.first_loaded, *(r.modified for r in self.revisions.values())])

    def memo(self, key: tuple, make: Callable):
        """A value worked out once per data version; the least recently used go past a bound,
        because keys come from requests and must not grow without end."""
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]
        value = self._memo[key] = make()
        if len(self._memo) > MEMO_ENTRIES:
            self._memo.popitem(last=False)
        return value

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
                     loaded_at=now, all_airings=all_airings, events=EventCache(revisions))

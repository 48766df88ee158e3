"""What is being served: one catalog with its revisions and rendered events, built at load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from .catalog import Catalog, load_catalog
from .expand import airing_order
from .ics import EventCache
from .model import Airing
from .revisions import Revision, RevisionStore


@dataclass(frozen=True)
class Published:
    """An immutable data version as served: replaced whole on reload, never changed in place."""

    catalog: Catalog
    revisions: Mapping[str, Revision]
    first_loaded: datetime            # when this data version was first loaded anywhere
    loaded_at: datetime               # when this process loaded it
    all_airings: tuple[Airing, ...]   # every show's airings in one order
    events: EventCache
    _selections: dict = field(default_factory=dict, repr=False, compare=False)

    def selection(self, region: str, show_ids: tuple[str, ...],
                  release_ids: frozenset[str] | None, all_releases: bool,
                  select: Callable) -> list[Airing]:
        """The airings a feed of these shows shows in a region; worked out once per data version."""
        key = (region, show_ids, release_ids, all_releases)
        found = self._selections.get(key)
        if found is None:
            wanted = set(show_ids)
            airings = (self.catalog.airings[show_ids[0]] if len(show_ids) == 1 else
                       [a for a in self.all_airings if a.show.id in wanted])
            found = self._selections[key] = select(airings, region, release_ids=release_ids,
                                                   all_releases=all_releases)
        return found


def publish(directory: Path, store: RevisionStore, now: datetime) -> Published:
    """Load a folder of schedules and record its revisions; raises CatalogError when invalid."""
    catalog = load_catalog(directory)
    all_airings = tuple(sorted((a for airings in catalog.airings.values() for a in airings),
                               key=airing_order))
    revisions, first_loaded = store.record(all_airings, catalog.version, now)
    return Published(catalog=catalog, revisions=revisions, first_loaded=first_loaded,
                     loaded_at=now, all_airings=all_airings, events=EventCache(revisions))

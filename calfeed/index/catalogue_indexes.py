"""What the catalogue pages list: a data version's seasons and search index, and platforms."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from ..publish.published import Published
from ..source.synonyms import synonym_table
from .search import SearchIndex
from .season import SeasonIndex
from .title_keys import Readings

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value built on first use by whichever thread gets there (others wait). The app builds
    the indexes before a data version is served (Service.prepare_with); first use here is the
    fallback when that failed, and what code without an app (the CLI, tests) relies on."""

    def __init__(self, build: Callable[[], T]):
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
        return self._value


@dataclass(frozen=True)
class CatalogueIndexes:
    seasons: Lazy[SeasonIndex]
    search: Lazy[SearchIndex]


def indexes(published: Published, readings: Readings) -> CatalogueIndexes:
    """The indexes of a data version, made once and kept beside it (not per request)."""
    def make() -> CatalogueIndexes:
        catalogue = published.catalogue
        shows, imported = catalogue.shows, catalogue.imported_from
        # What was worked out when the dataset was installed (index/derived.py): the first
        # airings of the imported shows a curated file does not replace, the titles' readings.
        firsts = imported.derived_part("first") if imported else {}
        known = {show_id: firsts[show_id] for show_id in catalogue.imported if show_id in firsts}
        seasons = Lazy(lambda: SeasonIndex.build(shows, known))

        def search_index() -> SearchIndex:
            if imported is not None:
                readings.learn(imported.derived.get("readings") or {},
                               imported.derived.get("reader"))
            return SearchIndex(shows, lambda s: seasons.get().first[s.id], readings,
                               synonym_table())
        return CatalogueIndexes(seasons, Lazy(search_index))
    return published.beside("catalogue-indexes", make)


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    shows: int


def platforms_in(published: Published, region: str) -> tuple[Platform, ...]:
    """The releases watchable in a region across the catalogue, by release id, most shows first;
    named as most of their shows name them (imports call one id by two names)."""
    def make() -> tuple[Platform, ...]:
        counts, names = Counter(), {}
        for show in published.catalogue.shows.values():
            for release in show.releases:
                if release.watchable_in(region):
                    counts[release.id] += 1
                    names.setdefault(release.id, Counter())[release.name] += 1
        named = {rid: names[rid].most_common(1)[0][0] for rid in counts}
        taken = Counter(named.values())
        return tuple(Platform(rid, named[rid] if taken[named[rid]] == 1 else
                              f"{named[rid]} ({rid})", count)
                     for rid, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return published.memo(("platforms", region), make)

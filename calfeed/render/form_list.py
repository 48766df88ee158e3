"""What the my-calendar form lists: the chosen shows, then a filter's matches or what airs now.

A region holds up to the whole catalogue (Japan: 8,481 shows, a 5.6 MB page when the form
listed them all). The form lists the shows in the calendar, then either the shows its filter
box matched (the search index's matching, at most FILTER_LIMIT) or, with no filter, the shows
on air now or next; every other show is found through the filter. So the page's size, and what
a browser sends back, depend on the calendar and the filter, not on the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from ..publish.published import Published
from ..schedule.model import Release, Show
from ..schedule.regions import Country
from ..index.on_air import on_air_ids
from ..index.search import Hit
from .page_values import display_title, second_title

FILTER_LIMIT = 50       # matches a filter lists; the count says how many more there are
AIRING_LIMIT = 250      # on air at once in one region: about 120 in Japan in a busy season


@dataclass(frozen=True)
class Row:
    """One show as the form lists it: its titles and where it can be watched in the region."""
    show: Show
    title: str
    title_ja: str | None
    releases: tuple[Release, ...]

    def titles(self, words: str) -> tuple[str, str | None, str]:
        """The title shown first, the other under it and that one's language: on a Japanese
        page the Japanese title leads, the English follows."""
        if words == "ja" and self.title_ja:
            return self.title_ja, self.title, "en"
        return self.title, self.title_ja, "ja"


@dataclass(frozen=True)
class FormList:
    chosen: list[Row]
    matches: list[Row]      # the filter's, best first; empty without a filter
    airing: list[Row]       # on air now or next; not listed while filtering
    matched: int            # how many shows of the region the filter matched
    others: int             # shows of the region listed in none of the groups
    query: str


def row(show: Show, region: Country) -> Row:
    return Row(show, display_title(show), second_title(show),
               tuple(r for r in show.releases if r.watchable_in(region.code)))


def form_list(published: Published, region: Country, now: datetime, chosen: Iterable[str],
              query: str, hits: list[Hit] | None) -> FormList:
    """The groups of the form: `hits` are the search index's for `query` (None: no filter)."""
    shows = published.catalogue.shows
    chosen = [shows[s] for s in chosen if s in shows]
    taken = {show.id for show in chosen}
    matches, airing, matched = [], [], 0
    if hits is not None:
        here = [hit.show for hit in hits
                if hit.show.id not in taken and region.code in hit.show.regions]
        matched, matches = len(here), here[:FILTER_LIMIT]
    else:
        airing_ids = on_air_ids(published, region, now)
        airing = [s for s in published.catalogue.shows_in(region.code)
                  if s.id in airing_ids and s.id not in taken][:AIRING_LIMIT]
    listed = len(chosen) + len(matches) + len(airing)
    return FormList(chosen=[row(s, region) for s in chosen],
                    matches=[row(s, region) for s in matches],
                    airing=[row(s, region) for s in airing], matched=matched,
                    others=len(published.catalogue.shows_in(region.code)) - listed, query=query)

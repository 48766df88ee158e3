"""Which show an id in a URL leads to: today's id, whatever case or older id was asked for."""

from __future__ import annotations

from ..publish.published import Published
from ..query.values import canonical_show_id
from ..source.aliases import alias_table, show_index


def current_show_id(published: Published, show_id: str) -> str | None:
    """The id the show has today: the catalogue's own spelling (ids are lower-case), else where
    an old id (source/aliases.yaml, or recorded by a dataset update) or the stable key
    (bgm425595) leads; None if nowhere.

    Views answer a 301 to the URL with this id and the same query string (params.moved_to),
    so subscribed feeds, links and API clients keep working when a refresh changes an id.
    """
    shows = published.catalog.shows
    found = canonical_show_id(show_id, shows)
    if found is not None:
        return found
    # The reviewed table over what the dataset updates recorded: a person's word wins.
    index = published.beside("show-index", lambda: show_index(
        shows.values(), {**published.catalog.moved, **alias_table()}))
    return index.current_id(show_id.lower())

"""The catalogue: the curated schedules (loaded and expanded once) and the imported shows on top."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping

from ..errors import NotFound
from ..schedule.model import Airing, Show
from ..schedule.show_file import load_shows, read_folder
from ..source.aliases import ShowIndex, alias_table, show_index
from ..source.loading import Imported
from ..source.merge import with_imported
from ..suggest import quoted
from .airings import ShowAirings


@dataclass(frozen=True)
class Catalogue:
    """An immutable snapshot of the data: swapped whole, never changed in place."""

    shows: Mapping[str, Show]
    airings: Mapping[str, tuple[Airing, ...]]   # imported shows' expanded on first use
    version: str
    files: Mapping[str, bytes]      # the schedule files as loaded, by name
    imported: frozenset[str] = frozenset()      # ids of the shows from the imported dataset
    import_version: str | None = None           # "bangumi-data 0.3.208", None with IMPORT off
    # Ids the dataset updates moved (old id -> stable key), recorded beside the dataset.
    moved: Mapping[str, str] = field(default_factory=dict)
    # The import served: its dataset's version, publish date and how far it knows.
    imported_from: Imported | None = field(default=None, repr=False, compare=False)
    _by_region: dict = field(default_factory=dict, repr=False, compare=False)

    def shows_in(self, region: str) -> tuple[Show, ...]:
        """The shows with a release watchable in a region (an ISO 3166-1 code)."""
        found = self._by_region.get(region)
        if found is None:
            # Worked out once per region: thousands of shows, asked for by every region feed.
            # Release by release: making each show's union of regions first (streaming sites
            # serve up to 240 countries) cost the first region feed 50 ms and more.
            found = self._by_region[region] = tuple(
                show for show in self.shows.values()
                if any(region in release.regions for release in show.releases))
        return found

    def current_id(self, asked: str) -> str | None:
        """The id the show asked for as `asked` has today, None if none: the one rule for a
        show named by a path, a query, a form, a stored calendar or the command line. Its own
        id in any case (ids are lower-case), else where an old id (source/aliases.yaml, or one
        a dataset update recorded) or the stable key (bgm425595) leads.

        Routes answer a 301 to the URL with today's id (web/params.todays_show), so subscribed
        feeds, links and API clients keep working when a refresh changes an id; forms and
        stored calendars take today's id in its place."""
        if asked in self.shows:
            return asked
        folded = asked.lower()
        if folded in self.shows:
            return folded
        return self._renamed.current_id(folded)

    @cached_property
    def _renamed(self) -> ShowIndex:
        # Made on first use, once per data version; the reviewed table over what the dataset
        # updates recorded: a person's word wins.
        return show_index(self.shows.values(), {**self.moved, **alias_table()})

    def show(self, show_id: str) -> Show:
        """The show with exactly this id (one `current_id` gave); NotFound, naming the shows
        there are, otherwise."""
        found = self.shows.get(show_id)
        if found is None:
            raise NotFound(unknown_show(show_id, self.shows))
        return found


LISTED_SHOWS = 20           # a catalogue up to this size is named whole in the message


def unknown_show(show_id: str, shows: Mapping[str, Show]) -> str:
    if len(shows) <= LISTED_SHOWS:
        return f"unknown show {quoted(show_id)}: shows are {', '.join(shows) or 'none yet'}"
    # A catalogue of thousands is not listed in one error line: ids that contain what was
    # asked (people type part of a title: 'frieren'), one substring test per id, no fuzzy
    # matching over thousands of ids for each 404; then where to search by any title.
    asked = show_id.lower()
    near = [other for other in shows if asked and asked in other][:5]
    hint = (f", did you mean {' or '.join(repr(other) for other in near)}?" if near
            else f": no show of the catalogue's {len(shows):,} has that id.")
    return (f"unknown show {quoted(show_id)}{hint} Search the catalogue by any title "
            "(English, Japanese, Chinese, romaji) at /search.")


def load_catalogue(directory: Path, files: Mapping[str, bytes] | None = None,
                 imported: Imported | None = None) -> Catalogue:
    """Load, validate and expand a folder of schedules (or the given bytes of its files), with
    the imported shows no curated file replaces; raises CatalogueError on any problem."""
    directory = Path(directory)
    files = dict(read_folder(directory) if files is None else files)
    loaded = sorted(load_shows(directory, files).items())
    curated = {show_id: show for show_id, (show, _) in loaded}
    expanded = {show_id: airings for show_id, (_, airings) in loaded}
    if imported is None:
        return Catalogue(shows=curated, airings=ShowAirings(curated, expanded),
                       version=data_version(files), files=files)
    shows = with_imported(curated, imported.shows)
    return Catalogue(shows=shows, airings=ShowAirings(shows, expanded),
                   version=data_version(files, imported.data_part), files=files,
                   imported=frozenset(shows) - frozenset(curated),
                   import_version=imported.version, moved=imported.moved,
                   imported_from=imported)


def data_version(files: Mapping[str, bytes], imported: str = "") -> str:
    """A hash of the schedule files' names and bytes (and of the imported dataset's version):
    equal data, equal version."""
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + data + b"\0")
    if imported:
        digest.update(b"\0import\0" + imported.encode())
    return digest.hexdigest()[:16]

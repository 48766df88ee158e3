"""The catalog: every show of a schedules folder with its airings, loaded and expanded once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import NotFound
from ..schedule.model import Airing, Show
from ..schedule.show_file import load_shows, read_folder


@dataclass(frozen=True)
class Catalog:
    """An immutable snapshot of the data: swapped whole, never changed in place."""

    shows: Mapping[str, Show]
    airings: Mapping[str, tuple[Airing, ...]]
    version: str
    files: Mapping[str, bytes]      # the schedule files as loaded, by name

    def shows_in(self, region: str) -> tuple[Show, ...]:
        """The shows with a release watchable in a region (an ISO 3166-1 code)."""
        return tuple(show for show in self.shows.values() if region in show.regions)

    def show(self, show_id: str) -> Show:
        """The show with this id; NotFound, naming the shows there are, otherwise."""
        found = self.shows.get(show_id)
        if found is None:
            raise NotFound(unknown_show(show_id, self.shows))
        return found


def unknown_show(show_id: str, shows: Mapping[str, Show]) -> str:
    return f"unknown show '{show_id}': shows are {', '.join(shows) or 'none yet'}"


def load_catalog(directory: Path, files: Mapping[str, bytes] | None = None) -> Catalog:
    """Load, validate and expand a folder of schedules (or the given bytes of its files);
    raises CatalogError on any problem."""
    directory = Path(directory)
    files = dict(read_folder(directory) if files is None else files)
    loaded = sorted(load_shows(directory, files).items())
    return Catalog(shows={show_id: show for show_id, (show, _) in loaded},
                   airings={show_id: airings for show_id, (_, airings) in loaded},
                   version=data_version(files), files=files)


def data_version(files: Mapping[str, bytes]) -> str:
    """A hash of the schedule files' names and bytes: equal data, equal version."""
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()[:16]

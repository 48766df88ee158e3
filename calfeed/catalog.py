"""The catalog: every show of a schedules folder with its airings, loaded and expanded once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .expand import expand_show
from .model import Airing, Show
from .schedules import load_shows, read_folder


@dataclass(frozen=True)
class Catalog:
    """An immutable snapshot of the data: swapped whole, never changed in place."""

    shows: Mapping[str, Show]
    airings: Mapping[str, tuple[Airing, ...]]
    version: str
    files: Mapping[str, bytes]      # the schedule files as loaded, by name

    @property
    def regions(self) -> frozenset[str]:
        return frozenset().union(*(show.regions for show in self.shows.values()))


def load_catalog(directory: Path, files: Mapping[str, bytes] | None = None) -> Catalog:
    """Load, validate and expand a folder of schedules (or the given bytes of its files);
    raises CatalogError on any problem."""
    directory = Path(directory)
    files = dict(read_folder(directory) if files is None else files)
    shows = load_shows(directory, files)
    airings = {show_id: expand_show(show) for show_id, show in sorted(shows.items())}
    return Catalog(shows=dict(sorted(shows.items())), airings=airings,
                   version=data_version(files), files=files)


def data_version(files: Mapping[str, bytes]) -> str:
    """A hash of the schedule files' names and bytes: equal data, equal version."""
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()[:16]

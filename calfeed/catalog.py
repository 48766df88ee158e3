"""The catalog: every show of a schedules folder with its airings, loaded and expanded once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .expand import expand_show
from .model import Airing, Show
from .schedules import load_shows, schedule_files


@dataclass(frozen=True)
class Catalog:
    """An immutable snapshot of the data: swapped whole, never changed in place."""

    shows: Mapping[str, Show]
    airings: Mapping[str, tuple[Airing, ...]]
    version: str

    @property
    def regions(self) -> frozenset[str]:
        return frozenset().union(*(show.regions for show in self.shows.values()))


def load_catalog(directory: Path) -> Catalog:
    """Load, validate and expand a folder of schedules; raises CatalogError on any problem."""
    directory = Path(directory)
    shows = load_shows(directory)
    airings = {show_id: expand_show(show) for show_id, show in sorted(shows.items())}
    return Catalog(shows=dict(sorted(shows.items())), airings=airings,
                   version=data_version(directory))


def data_version(directory: Path) -> str:
    """A hash of the schedule files' names and bytes: equal data, equal version."""
    digest = hashlib.sha256()
    for path in schedule_files(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]

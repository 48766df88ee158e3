"""The imported catalogue as the app serves it: loaded once per process and dataset version.

The dataset changes with a deploy (the pinned package) or an update (the dataset folder,
source/datasets.py); a worker imports a version once and keeps it. Open-ended shows
run to a horizon past the day of the import (bangumi.HORIZON): the day, not the instant, so
that workers started the same day import the same shows; a worker still running on a later
day moves the horizon on (extend_open_ended) rather than read the dataset again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Mapping

from ..schedule.model import Show
from . import import_cache
from .aliases import read_aliases
from .bangumi import (DATASET, ImportReport, dataset_version, extend_open_ended,
                      load_dataset)
from .datasets import Dataset, pinned_dataset
from .names import remembered

DERIVED = "derived.json"        # what calfeed works out from a version, kept beside it
MOVED = "moved-ids.yaml"        # ids the updates to this version moved: old id -> stable key


@dataclass(frozen=True)
class Imported:
    """The shows of one dataset version, by show id, with the report of their import."""

    shows: Mapping[str, Show]
    report: ImportReport
    version: str            # "bangumi-data 0.3.208": named in attributions and reports
    day: str                # the day (UTC) the open-ended horizon was counted from
    dataset: Dataset | None = None
    # Old id -> stable key, recorded by the updates that led to this version (MOVED).
    moved: Mapping[str, str] = field(default_factory=dict)
    # What was worked out when the version was installed (index/derived.py), if anything.
    derived: Mapping = field(default_factory=dict, repr=False)

    def derived_part(self, part: str) -> Mapping:
        """A part of `derived` that this code made (fingerprints, first airings); {} when
        another version of calfeed made it, or nothing was derived."""
        if self.derived.get("code") != code_key():
            return {}
        return self.derived.get(part) or {}

    @property
    def dated(self) -> datetime | None:
        """The data's date: when its version was published, else its newest start."""
        published = self.dataset.published if self.dataset else None
        return published or self.report.as_of

    @property
    def data_part(self) -> str:
        """What the import adds to a data version: the dataset's version and the horizon's day
        (open-ended shows gain airings as days pass, and caches must see it)."""
        return f"{self.version}, horizon {self.day}"


_cache: dict[tuple[str, str], Imported] = {}
_lock = threading.Lock()


def imported_catalogue(now: datetime, root: Path = DATASET,
                       dataset: Dataset | None = None) -> Imported:
    """The dataset's shows (the package at `root`: the pinned one unless `dataset` names one),
    imported on first use and then kept by this process, their open-ended shows counted to
    the horizon past `now`'s day (UTC)."""
    dataset = dataset or pinned_dataset(Path(root))
    root = dataset.root
    day = horizon_day(now)
    start = datetime.combine(date.fromisoformat(day), time(0), tzinfo=timezone.utc)
    key = (str(root), dataset_version(root))
    with _lock:         # one import at a time: two threads asking wait for the one
        found = _cache.get(key)
        if found is not None and found.day < day:
            # A day later: the same import, its open-ended shows a day longer (milliseconds,
            # where reading the dataset again takes seconds and twice the memory meanwhile).
            found = replace(found, shows=extend_open_ended(found.shows, found.report, start),
                            day=day)
        elif found is None or found.day != day:     # (an earlier day: only tests go back)
            installed = derived(dataset)
            table = romaji(installed)   # taken out of what was derived: ids are made by then
            code = import_code()
            mapped = import_cache.read(dataset, code)
            if mapped is not None:
                shows, report = mapped
                shows = extend_open_ended(shows, report, start)
            else:
                with remembered(table):
                    shows, report = load_dataset(root, start)
                import_cache.write(dataset, code, shows, report)
            found = Imported(shows=shows, report=report, version=f"bangumi-data {key[1]}",
                             day=day, dataset=dataset, moved=moved_ids(dataset),
                             derived=installed)
        _cache.clear()      # one dataset a process: an older version's import is let go
        _cache[key] = found
        return found


def horizon_day(now: datetime) -> str:
    """The day (UTC, ISO 8601) an import made at `now` counts its horizon from."""
    return now.astimezone(timezone.utc).date().isoformat()


def derived(dataset: Dataset) -> dict:
    """What was worked out from the dataset when it was installed, or for the pinned package by
    `calfeed dataset prepare` ({} for a file that is missing, cannot be read or was made from
    another version of the package: then it is worked out again, slower, never wrongly)."""
    try:
        found = json.loads(derived_path(dataset).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or dataset.pinned and found.get("version") != dataset.version:
        return {}
    return found


def derived_path(dataset: Dataset) -> Path:
    """Where what was derived from a version is kept: in its folder, or for the pinned package
    beside it, named for it (node_modules/bangumi-data.derived.json, which `npm ci` removes
    with the package it was made from)."""
    if dataset.pinned:
        return dataset.root.with_name(f"{dataset.root.name}.{DERIVED}")
    return dataset.folder / DERIVED


def romaji(installed: dict) -> dict[str, str]:
    """The romaji of titles kept beside a dataset (taken out of `installed`, what was derived
    when it was installed), if the romanising code that made them is this one: {} otherwise,
    so ids are never made by older rules."""
    table = installed.pop("romaji", None) or {}
    return table if installed.pop("romaji_code", None) == romaji_key() else {}


def moved_ids(dataset: Dataset) -> dict[str, str]:
    """The ids updates moved, as recorded beside the version (none for the pinned package)."""
    path = dataset.folder / MOVED
    if dataset.pinned or not path.is_file():
        return {}
    return read_aliases(path)


# The code whose results `derived` keeps: the import's mapping and the model, the revision
# fingerprint and the season rule. A deploy that changes any of them makes those parts stale.
_DERIVING = ("source/*.py", "source/*.yaml", "schedule/*.py", "publish/revisions.py",
             "index/season.py")


@lru_cache(maxsize=1)
def code_key() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for pattern in _DERIVING:
        for path in sorted(root.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def import_code() -> str:
    """What a mapped import kept beside a version (import_cache) must have been made by."""
    return f"{code_key()} {romaji_key()}"


@lru_cache(maxsize=1)
def romaji_key() -> str:
    """The romanising code (names.py) and pykakasi's version: what a title's romaji follow."""
    from importlib.metadata import version
    names = Path(__file__).with_name("names.py").read_bytes()
    return hashlib.sha256(names + version("pykakasi").encode()).hexdigest()[:16]

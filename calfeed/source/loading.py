"""The imported catalogue as the app serves it: loaded once per process and dataset version.

The dataset changes only when the pinned package does (a deploy), unlike the schedules folder,
which reloads while serving; so a worker imports it at start and keeps it. Open-ended shows
run to a horizon past the day of the import (bangumi.HORIZON): the day, not the instant, so
that workers started the same day import the same shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Mapping

from ..schedule.model import Show
from .bangumi import DATASET, ImportReport, dataset_version, load_dataset


@dataclass(frozen=True)
class Imported:
    """The shows of one dataset version, by show id, with the report of their import."""

    shows: Mapping[str, Show]
    report: ImportReport
    version: str            # "bangumi-data 0.3.208": part of every data version served
    day: str                # the day (UTC) the open-ended horizon was counted from


_cache: dict[tuple[str, str, str], Imported] = {}
_lock = threading.Lock()


def imported_catalogue(now: datetime, root: Path = DATASET) -> Imported:
    """The pinned dataset's shows, imported on first use and then kept by this process."""
    root = Path(root)
    day = now.astimezone(timezone.utc).date()
    key = (str(root), dataset_version(root), day.isoformat())
    with _lock:         # one import at a time: two threads asking wait for the one
        found = _cache.get(key)
        if found is None:
            start = datetime.combine(day, time(0), tzinfo=timezone.utc)
            shows, report = load_dataset(root, start)
            found = Imported(shows=shows, report=report, version=f"bangumi-data {key[1]}",
                             day=key[2])
            _cache.clear()      # one dataset a process: an older day's import is let go
            _cache[key] = found
        return found


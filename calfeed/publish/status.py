"""What the latest load of the schedules found: which data is served, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import FileError


@dataclass
class LoadStatus:
    """What the latest load of the schedules found, in this process: the serving side updates
    it after each load, the health document reads it."""

    last_success: datetime | None = None
    errors: tuple[FileError, ...] = ()       # why the folder's latest contents are not served
    # "folder": what the folder held at the latest load; "last_good": the last good data,
    # because the folder's contents were refused (at start: the state database's copy).
    serving: str = "folder"
    store_fault: str | None = None           # why the state database cannot be used now

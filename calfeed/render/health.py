"""The health document: whether good data is served, which, since when, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import ScheduleError
from ..publish.published import Published


@dataclass
class LoadStatus:
    """What the latest load of the schedules found, in this process."""

    last_success: datetime | None = None
    errors: tuple[ScheduleError, ...] = ()
    serving_last_good: bool = False    # started from the state store's copy, not the folder


def health(published: Published | None, status: LoadStatus) -> tuple[int, dict]:
    """HTTP status and body: 200 'ok' or 'degraded'; 503 only if nothing good ever loaded."""
    if published is None:
        return 503, {"status": "unavailable", "version": None, "shows": 0, "last_loaded": None,
                     "serving_last_good": False, "errors": [str(e) for e in status.errors]}
    degraded = bool(status.errors) or status.serving_last_good
    return 200, {
        "status": "degraded" if degraded else "ok",
        "version": published.catalog.version,
        "shows": len(published.catalog.shows),
        "last_loaded": status.last_success.isoformat() if status.last_success else None,
        "serving_last_good": status.serving_last_good,
        "errors": [str(e) for e in status.errors],
    }

"""The health document: whether good data is served, which, since when, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import ScheduleError
from ..publish.published import Published

MAX_DETAILS = 20        # messages shown; the count says how many there are
MAX_MESSAGE = 300       # characters of each


@dataclass
class LoadStatus:
    """What the latest load of the schedules found, in this process."""

    last_success: datetime | None = None
    errors: tuple[ScheduleError, ...] = ()   # why the folder's latest contents are not served
    # "folder": what the folder held at the latest load; "last_good": the last good data,
    # because the folder's contents were refused (at start: the state database's copy).
    serving: str = "folder"
    store_fault: str | None = None           # why the state database cannot be used now


def health(published: Published | None, status: LoadStatus, *, details: bool = False,
           folder: str = "", calendars: str | None = None,
           database: bool | None = None) -> tuple[int, dict]:
    """HTTP status and body: 200 'ok' or 'degraded'; 503 only if nothing good ever loaded.
    `calendars`: why personal calendars cannot be used now (None: they can); `database`:
    whether the shared PostgreSQL database answers (None: there is none).

    Public: the status and counts. With `details` (loopback or a token): the problems, paths
    made relative to `folder`, each capped, at most MAX_DETAILS of them.
    """
    serving = "last_good" if status.errors else status.serving
    body = {
        "status": "unavailable" if published is None else
                  "degraded" if serving != "folder" or status.store_fault or calendars
                  or database is False else "ok",
        "serving": None if published is None else serving,
        "version": published.catalog.version if published else None,
        "shows": len(published.catalog.shows) if published else 0,
        "last_loaded": status.last_success.isoformat() if status.last_success else None,
        "problems": len(status.errors),
        "state_database": "ok" if status.store_fault is None else "fault",
        "calendars": "ok" if calendars is None else "fault",
    }
    if database is not None:
        body["database"] = "ok" if database else "unreachable"
    if details:
        messages = [_shown(str(e), folder) for e in status.errors[:MAX_DETAILS]]
        body["details"] = {"errors": messages, "state_database": status.store_fault,
                           "calendars": None if calendars is None else _shown(calendars, "")}
    return (503 if published is None else 200), body


def _shown(message: str, folder: str) -> str:
    if folder and message.startswith(folder.rstrip("/") + "/"):
        message = message[len(folder.rstrip("/")) + 1:]
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…"

"""The health document: whether good data is served, which, since when, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from ..publish.published import Published
from ..publish.status import LoadStatus

MAX_DETAILS = 20        # messages shown; the count says how many there are
MAX_MESSAGE = 300       # characters of each


@dataclass(frozen=True)
class DatasetHealth:
    """How current the imported dataset is, and how the last automatic check went."""

    now: datetime
    max_age_days: float
    check: dict | None = None       # dataset_updates.last_check(): checked, ok, message


def health(published: Published | None, status: LoadStatus, *, details: bool = False,
           folder: str = "", calendars: str | None = None,
           database: bool | None = None,
           dataset: DatasetHealth | None = None) -> tuple[int, dict]:
    """HTTP status and body: 200 'ok' or 'degraded'; 503 only if nothing good ever loaded.
    `calendars`: why personal calendars cannot be used now (None: they can); `database`:
    whether the shared PostgreSQL database answers (None: there is none).

    Public: the status, counts and the dataset's age. With `details` (loopback or a token):
    the problems, paths made relative to `folder`, each capped, at most MAX_DETAILS of them.
    """
    serving = "last_good" if status.errors else status.serving
    about, stale = _dataset(published, dataset)
    body = {
        "status": "unavailable" if published is None else
                  "degraded" if serving != "folder" or status.store_fault or calendars
                  or database is False or stale else "ok",
        "serving": None if published is None else serving,
        "version": published.catalogue.version if published else None,
        "shows": len(published.catalogue.shows) if published else 0,
        "last_loaded": status.last_success.isoformat() if status.last_success else None,
        "problems": len(status.errors),
        "state_database": "ok" if status.store_fault is None else "fault",
        "calendars": "ok" if calendars is None else "fault",
    }
    if database is not None:
        body["database"] = "ok" if database else "unreachable"
    if about is not None:
        body["dataset"] = about
    if details:
        messages = [_shown(str(e), folder) for e in status.errors[:MAX_DETAILS]]
        body["details"] = {"errors": messages, "state_database": status.store_fault,
                           "calendars": None if calendars is None else _shown(calendars, "")}
        if about is not None and dataset.check is not None:
            body["details"]["dataset_check"] = _shown(str(dataset.check.get("message")), "")
    return (503 if published is None else 200), body


def _dataset(published: Published | None, dataset: DatasetHealth | None) -> tuple[dict | None,
                                                                                   bool]:
    """The dataset block, for every client (how current the data is is no secret), and whether
    it makes the service degraded: older than the limit, or the last automatic check failed."""
    imported = published.catalogue.imported_from if published else None
    if imported is None or dataset is None:
        return None, False
    stated = imported.dataset.published if imported.dataset else None
    dated = imported.dated
    age = None if dated is None else max(0, (dataset.now - dated).days)
    check = dataset.check or {}
    failed = check.get("ok") is False
    about = {"version": imported.version.removeprefix("bangumi-data "),
             "published": _instant(stated), "checked": check.get("checked"), "age_days": age,
             "last_check": None if not check else "failed" if failed else "ok"}
    return about, failed or (age is not None and age > dataset.max_age_days)


def _instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _shown(message: str, folder: str) -> str:
    if folder and message.startswith(folder.rstrip("/") + "/"):
        message = message[len(folder.rstrip("/")) + 1:]
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…"

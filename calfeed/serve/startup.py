"""Whether there is good data to start serving: the folder, else the last good copy."""

from __future__ import annotations

from pathlib import Path

from ..database import Database
from ..errors import CatalogueError
from ..publish.catalogue import load_catalogue
from .revision_store import StateStore, StoreFault


def check_before_serving(schedules_dir: str, state_path: str,
                         database: Database | None = None) -> str | None:
    """What `deploy/serve.py` asks before starting workers: None when there is good data to
    serve (the folder, or else the last good copy in the state database, which is then served
    while /healthz says degraded, as nginx keeps its old configuration on a bad reload); the
    message to refuse with otherwise."""
    try:
        load_catalogue(Path(schedules_dir))
        return None
    except CatalogueError as exc:
        try:
            snapshot = StateStore.open(state_path, database).load_snapshot()
        except StoreFault:
            snapshot = None
        return cannot_start(exc) if snapshot is None else None


def cannot_start(error: CatalogueError) -> str:
    """What `wsgi.py` and `deploy/serve.py` print when there is nothing good to serve."""
    return (f"{error}\ncalfeed: the schedules do not validate and the state database holds no "
            "last good copy; fix them (see 'calfeed check')")

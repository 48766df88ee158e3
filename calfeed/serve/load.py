"""One load of the schedules into a `Service`: published whole, or refused keeping what is served.

A load that fails never replaces what is served: the last good data stays, and the problems
are kept for /healthz and written to the log. A start that finds the folder invalid serves
the last good schedules kept in the state database, and refuses only if there are none. A
fault of the state database never stops a worker (revision_store.py); a folder that suddenly
lost most of its schedule files is refused like invalid data, unless the operator says so.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CatalogueError, FileError
from ..publish.catalogue import data_version
from ..publish.published import Published, publish
from ..schedule.show_file import read_folder
from ..source.bangumi import DATASET
from ..source.datasets import pinned_dataset, to_serve
from ..source.loading import Imported, horizon_day, imported_catalogue
from .heap import loading_beside
from .newest import NewestMarker
from .revision_store import StateStore, StoreFault

if TYPE_CHECKING:
    from .service import Service

# A file the operator creates in the schedules folder to let a load publish a catalogue that
# shrank past SHRINK_LIMIT (removing most shows on purpose); removed by the operator after.
SHRINK_MARKER = ".calfeed-allow-shrink"
log = logging.getLogger("calfeed.reload")


class Outcome(Enum):
    LOADED = "loaded"            # the folder's data is served, its revisions recorded
    UNRECORDED = "unrecorded"    # the folder's data is served, numbered from memory: the state
    #                              database cannot be used, so load again until it can
    REFUSED = "refused"          # the folder's data is wrong: wait for it to change
    FAULT = "fault"              # a fault (state database) kept it from being served: retry

    @property
    def served(self) -> bool:
        """Whether the folder's present data is what is served."""
        return self in (Outcome.LOADED, Outcome.UNRECORDED)

    @property
    def settled(self) -> bool:
        """Whether the folder's present contents were dealt with for good (no retry due)."""
        return self in (Outcome.LOADED, Outcome.REFUSED)


def import_catalogue(service: Service) -> Imported | None:
    """The imported catalogue (bangumi-data): the newer of the pinned package and the dataset
    folder's current version (source/datasets.py), loaded once per process and version; each
    new day, its open-ended shows run a day further (loading.py)."""
    if not service.settings.import_on:
        return None
    root = Path(service.settings.import_path or DATASET)
    # The pointer's state before it is read: a switch meanwhile is seen at the next check.
    service.dataset_seen = service.datasets.pointer_state()
    installed = (root / "dist" / "data.json").is_file()
    chosen = to_serve(service.datasets, pinned_dataset(root) if installed else None)
    if chosen is None:
        raise CatalogueError([FileError(str(root / "dist" / "data.json"), (
            "the imported catalogue (bangumi-data) is not installed: run 'npm ci --prefix "
            "data/bangumi' (make run does) or 'calfeed dataset update', or set "
            "CALFEED_IMPORT=0 to serve the schedules folder alone"))])
    return imported_catalogue(service.clock(), dataset=chosen)


def load(service: Service) -> Outcome:
    """Load the folder and serve it, unless it is refused or a fault stops it."""
    status, settings = service.status, service.settings
    directory = settings.schedules_dir
    with service.lock, loading_beside():
        served = service.published
        now = service.clock()
        files = None
        try:
            import_today(service)
            files = read_folder(directory)
            if served is not None and not status.errors and status.store_fault is None \
                    and _version(service, files) == served.catalogue.version:
                return Outcome.LOADED      # adopted already from another worker's load
            store = open_store(service, served is None)
            _refuse_a_sudden_shrink(directory, files, served, store, service.marker,
                                    settings.shrink_limit)
            published, store = _publish(service, files, now, store, served is None)
        except CatalogueError as exc:
            status.errors = exc.errors
            for error in exc.errors:
                log.error("%s", error)
            log.error("schedules not loaded: %d problem(s); %s", len(exc.errors),
                      _still(served))
            return Outcome.REFUSED
        except StoreFault as exc:
            status.store_fault = exc.reason
            log.error("schedules not loaded: %s; %s; trying again at the next check", exc.reason,
                      _still(served))
            # Served from memory since a start on the faulty database: still the folder's data.
            same = served is not None and not status.errors and files is not None \
                and _version(service, files) == served.catalogue.version
            return Outcome.UNRECORDED if same else Outcome.FAULT
        except Exception as exc:
            # A failure validation did not foresee is still a failed load: reported, not ignored.
            log.exception("schedules not loaded: the load failed")
            status.errors = (FileError(str(directory),
                                       f"the load failed: {type(exc).__name__}: {exc}"),)
            return Outcome.REFUSED
        if not store.in_memory_only:    # numbers from memory are this worker's alone
            service.marker.announce(published.catalogue.version, str(directory))
        service.serve(published)
        status.errors, status.last_success, status.serving = (), now, "folder"
        status.store_fault = store.fault
        if store.in_memory_only:
            top = published.revisions.top
            service.memory_high = top if top is not None else service.memory_high or 0
        else:
            service.memory_high = None     # the database numbers above them now
        log.info("schedules loaded: data version %s, %d show(s)", published.catalogue.version,
                 len(published.catalogue.shows))
        return Outcome.UNRECORDED if store.in_memory_only else Outcome.LOADED


def _still(served: Published | None) -> str:
    return f"still serving data version {served.catalogue.version}" if served \
        else "nothing loaded yet"


def import_today(service: Service) -> None:
    """Move the import's open-ended horizon to today's, if a day passed since it was counted
    (the import itself stays: loading.py keeps it per process); import the dataset the
    folder's pointer names, if it moved (beside the one served, which stays until the swap)."""
    imported = service.imported
    if imported is not None and (imported.day != horizon_day(service.clock())
                                 or service.dataset_moved()):
        service.imported = import_catalogue(service)


def open_store(service: Service, nothing_served: bool) -> StateStore:
    """The state database; when it cannot be used and nothing is served yet, numbers from
    memory (above the high-water mark), so the worker starts anyway."""
    path = service.settings.state_path
    try:
        store = StateStore.open(path, service.database)
        if store.notice:
            log.error("%s; a new state database was started", store.notice)
        if service.memory_high is not None:
            # Numbers served from memory meanwhile must not be undercut by the database's.
            store.raise_base(service.memory_high)
    except StoreFault as exc:
        if not nothing_served:
            raise
        return _memory_store(path, exc)
    return store


def _memory_store(path: str, fault: StoreFault) -> StateStore:
    log.error("%s; serving with SEQUENCE numbers kept in memory until it can be used",
              fault.reason)
    store = StateStore.in_memory(path)
    store.fault = f"{fault.reason}; SEQUENCE numbers kept in memory until it can be used"
    return store


def publish_files(service: Service, files: dict, now: datetime,
                  store: StateStore) -> Published:
    """These files published with the import in force, their revisions recorded in `store`."""
    return publish(service.settings.schedules_dir, store, now, files=files,
                   imported=service.imported, memo_max_bytes=service.settings.memo_max_bytes)


def _publish(service: Service, files: dict, now: datetime, store: StateStore,
             nothing_served: bool) -> tuple[Published, StateStore]:
    """Publish these files, recording revisions and the last good copy in `store`; a fault
    met on the way when nothing is served yet (a database that opens but cannot be written)
    falls back to numbers kept in memory, so that the worker still starts."""
    try:
        published = publish_files(service, files, now, store)
        store.save_snapshot(published.catalogue.version, published.catalogue.files, now)
        return published, store
    except StoreFault as exc:
        if not nothing_served or store.in_memory_only:
            raise
        store = _memory_store(service.settings.state_path, exc)
        return publish_files(service, files, now, store), store


def _version(service: Service, files: dict) -> str:
    """The data version these files would be served as, with the import in force."""
    imported = service.imported
    return data_version(files, imported.data_part if imported else "")


def _refuse_a_sudden_shrink(directory: Path, files: dict, served: Published | None,
                            store: StateStore, marker: NewestMarker, limit: float) -> None:
    """A folder that lost most of its schedule files (a deploy half done, `rm` in the wrong
    place) is a fault: the last good data stays until the operator creates SHRINK_MARKER.
    At start the comparison is with the last good copy, if it is this folder's."""
    if served is not None:
        before = len(served.catalogue.files)
    else:
        try:
            snapshot = store.load_snapshot()
        except StoreFault:
            snapshot = None     # unreadable: starting matters more than this comparison
        ours = snapshot is not None and marker.read(str(directory)) == snapshot.version
        before = len(snapshot.files) if ours else 0
    if before and len(files) < before * limit and not (directory / SHRINK_MARKER).exists():
        raise CatalogueError([FileError(str(directory), (
            f"the folder holds {len(files)} schedule file(s) where {before} were served: a "
            f"catalogue that shrinks below {limit:.0%} of its files is held back as a fault; "
            f"to publish it, create {SHRINK_MARKER} in the folder (and remove it after)"))])


def start_from_last_good(service: Service) -> None:
    """At start, with the folder refused: serve the state database's last good copy, else
    refuse to start (CatalogueError, the folder's problems and why there is no copy)."""
    status, path = service.status, service.settings.state_path
    try:
        store = StateStore.open(path, service.database)
        snapshot = store.load_snapshot()
    except StoreFault as exc:
        raise CatalogueError([*status.errors, FileError(
            path, f"no last good copy to serve: {exc.reason}")]) from None
    if snapshot is None:
        raise CatalogueError(list(status.errors))
    published, store = _publish(service, snapshot.files, service.clock(), store,
                                nothing_served=True)
    service.serve(published)
    status.last_success, status.serving = snapshot.loaded_at, "last_good"
    status.store_fault = store.fault
    log.warning("serving the last good schedules (data version %s, loaded %s) until the "
                "folder validates", snapshot.version, snapshot.loaded_at.isoformat())

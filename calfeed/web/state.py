"""The app's hold on what it serves: published at start, replaced whole on reload.

A load that fails never replaces what is served: the last good data stays, and the problems
are kept for /healthz and written to the log. A start that finds the folder invalid serves
the last good schedules kept in the state database, and refuses only if there are none. A
fault of the state database never stops a worker (state_store.py); a folder that suddenly
lost most of its schedule files is refused like invalid data, unless the operator says so.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request

from ..database import DATABASE
from ..errors import CatalogError, FileError
from ..publish.catalog import data_version
from ..publish.published import Published, publish
from ..config import dataset_dir
from ..source.bangumi import DATASET
from ..source.datasets import DatasetStore, pinned_dataset, to_serve
from ..source.loading import Imported, horizon_day, imported_catalogue
from ..publish.status import LoadStatus
from ..schedule.show_file import read_folder
from .dataset_updates import DatasetUpdater, environment_of
from .heap import loading_beside, settle
from .newest import NewestMarker
from .reloader import Reloader
from .state_store import StateStore, StoreFault

EXTENSION = "calfeed.published"
STATUS = "calfeed.load-status"
RELOADER = "calfeed.reloader"
HOLD = "calfeed.hold"
IMPORTED = "calfeed.imported"
UPDATER = "calfeed.dataset-updater"
# What other parts of the app make of a data version before it is served (catalogue_views:
# the season and search indexes), so that no request after a start or reload waits for it.
PREPARE = "calfeed.prepare"
# A file the operator creates in the schedules folder to let a load publish a catalogue that
# shrank past SHRINK_LIMIT (removing most shows on purpose); removed by the operator after.
SHRINK_MARKER = ".calfeed-allow-shrink"
log = logging.getLogger("calfeed.reload")


class Outcome(Enum):
    LOADED = "loaded"      # the folder's data is served
    REFUSED = "refused"    # the folder's data is wrong: wait for it to change
    RETRY = "retry"        # a fault (state database): try the same data again


@dataclass
class Hold:
    """One process's bookkeeping around what it serves."""

    lock: threading.RLock = field(default_factory=threading.RLock)   # one load at a time
    marker: NewestMarker | None = None  # the file naming the newest version
    memory_high: int | None = None      # highest SEQUENCE served while numbering from memory
    catch_up_seconds: float = 5.0       # how long a request waits for a load by another thread
    datasets: DatasetStore | None = None    # the folder of installed datasets
    dataset_seen: tuple = ()            # its pointer as this worker last imported from it


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def init_app(app: Flask) -> None:
    """Publish the schedules now: invalid data never gets served, even at start."""
    if not app.config.get("STATE_PATH"):
        app.config["STATE_PATH"] = os.path.join(app.instance_path, "state.sqlite3")
    app.config.setdefault("CLOCK", system_clock)
    app.extensions[STATUS] = LoadStatus()
    path = app.config["STATE_PATH"]
    app.config["DATASET_DIR"] = str(dataset_dir(app.config))
    app.extensions[HOLD] = Hold(marker=NewestMarker(path),
                                catch_up_seconds=float(app.config["CATCH_UP_SECONDS"]),
                                datasets=DatasetStore(app.config["DATASET_DIR"]))
    app.extensions[IMPORTED] = _import(app)
    outcome = _load(app)
    if EXTENSION not in app.extensions:
        _start_from_last_good(app)
    interval = app.config["RELOAD_INTERVAL"]
    if interval and interval > 0:
        app.extensions[RELOADER] = Reloader(
            Path(app.config["SCHEDULES_DIR"]), lambda: _load(app) is not Outcome.RETRY,
            float(interval), float(app.config["RELOAD_SETTLE_SECONDS"]), (SHRINK_MARKER,),
            retry=outcome is Outcome.RETRY or app.extensions[STATUS].store_fault is not None,
            # A new day moves the imported open-ended shows' horizon, and a new dataset
            # pointer names another dataset: each is due a load, as an edit is.
            day=(lambda: (horizon_day(app.config["CLOCK"]()),
                          app.extensions[HOLD].datasets.pointer_state()))
            if app.extensions[IMPORTED] else None)
        app.extensions[RELOADER].start()
    hours = app.config["DATASET_UPDATE_HOURS"]
    if app.extensions[IMPORTED] and hours > 0:
        app.extensions[UPDATER] = DatasetUpdater(
            app.extensions[HOLD].datasets, float(hours), environment_of(app.config),
            app.config["CLOCK"])
        app.extensions[UPDATER].start()


def import_on(value) -> bool:
    """CALFEED_IMPORT as operators write it: 0, false, no, off (any case) or empty turn it off."""
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")


def _import(app: Flask) -> Imported | None:
    """The imported catalogue (bangumi-data): the newer of the pinned package and the dataset
    folder's current version (source/datasets.py), loaded once per process and version; each
    new day, its open-ended shows run a day further (loading.py)."""
    if not import_on(app.config["IMPORT"]):
        return None
    root = Path(app.config["IMPORT_PATH"] or DATASET)
    hold: Hold = app.extensions[HOLD]
    # The pointer's state before it is read: a switch meanwhile is seen at the next check.
    hold.dataset_seen = hold.datasets.pointer_state()
    installed = (root / "dist" / "data.json").is_file()
    chosen = to_serve(hold.datasets, pinned_dataset(root) if installed else None)
    if chosen is None:
        raise CatalogError([FileError(str(root / "dist" / "data.json"), (
            "the imported catalogue (bangumi-data) is not installed: run 'npm ci --prefix "
            "data/bangumi' (make run does) or 'calfeed dataset update', or set "
            "CALFEED_IMPORT=0 to serve the schedules folder alone"))])
    return imported_catalogue(app.config["CLOCK"](), dataset=chosen)


def reload(app: Flask) -> bool:
    """Load the schedules again and swap them in whole; on any problem keep what is served.

    Returns whether the folder's data is now served.
    """
    return _load(app) is Outcome.LOADED


def _load(app: Flask) -> Outcome:
    status: LoadStatus = app.extensions[STATUS]
    hold: Hold = app.extensions[HOLD]
    directory = Path(app.config["SCHEDULES_DIR"])
    with hold.lock, loading_beside():
        served: Published | None = app.extensions.get(EXTENSION)
        now = app.config["CLOCK"]()
        try:
            _import_today(app)
            files = read_folder(directory)
            if served is not None and not status.errors and status.store_fault is None \
                    and _version(app, files) == served.catalog.version:
                return Outcome.LOADED      # adopted already from another worker's load
            store = _open_store(app, served is None)
            _refuse_a_sudden_shrink(directory, files, served, store, hold.marker,
                                    float(app.config["SHRINK_LIMIT"]))
            published, store = _publish(app, directory, files, now, store, served is None)
        except CatalogError as exc:
            status.errors = exc.errors
            for error in exc.errors:
                log.error("%s", error)
            log.error("schedules not loaded: %d problem(s); %s", len(exc.errors),
                      f"still serving data version {served.catalog.version}" if served
                      else "nothing loaded yet")
            return Outcome.REFUSED
        except StoreFault as exc:
            status.store_fault = exc.reason
            log.error("schedules not loaded: %s; %s; trying again at the next check", exc.reason,
                      f"still serving data version {served.catalog.version}" if served
                      else "nothing loaded yet")
            return Outcome.RETRY
        except Exception as exc:
            # A failure validation did not foresee is still a failed load: reported, not ignored.
            log.exception("schedules not loaded: the load failed")
            status.errors = (FileError(str(directory),
                                       f"the load failed: {type(exc).__name__}: {exc}"),)
            return Outcome.REFUSED
        if not store.in_memory_only:    # numbers from memory are this worker's alone
            hold.marker.announce(published.catalog.version, str(directory))
        # One assignment: requests see the old data or the new, never a mixture.
        _serve(app, published)
        status.errors, status.last_success, status.serving = (), now, "folder"
        status.store_fault = store.fault
        if store.in_memory_only:
            top = published.revisions.top
            hold.memory_high = top if top is not None else hold.memory_high or 0
        else:
            hold.memory_high = None     # the database numbers above them now
        log.info("schedules loaded: data version %s, %d show(s)", published.catalog.version,
                 len(published.catalog.shows))
        return Outcome.RETRY if store.in_memory_only else Outcome.LOADED


def _import_today(app: Flask) -> None:
    """Move the import's open-ended horizon to today's, if a day passed since it was counted
    (the import itself stays: loading.py keeps it per process); import the dataset the
    folder's pointer names, if it moved (beside the one served, which stays until the swap)."""
    imported: Imported | None = app.extensions[IMPORTED]
    if imported is not None and (imported.day != horizon_day(app.config["CLOCK"]())
                                 or dataset_moved(app)):
        app.extensions[IMPORTED] = _import(app)


def dataset_moved(app: Flask) -> bool:
    """Whether the dataset folder's pointer changed since this worker imported (one stat)."""
    hold: Hold = app.extensions[HOLD]
    return hold.datasets.pointer_state() != hold.dataset_seen


def _open_store(app: Flask, nothing_served: bool) -> StateStore:
    """The state database; when it cannot be used and nothing is served yet, numbers from
    memory (above the high-water mark), so the worker starts anyway."""
    path = app.config["STATE_PATH"]
    hold: Hold = app.extensions[HOLD]
    try:
        store = StateStore.open(path, app.extensions.get(DATABASE))
        if store.notice:
            log.error("%s; a new state database was started", store.notice)
        if hold.memory_high is not None:
            # Numbers served from memory meanwhile must not be undercut by the database's.
            store.raise_base(hold.memory_high)
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


def _publish(app: Flask, directory: Path, files: dict, now: datetime, store: StateStore,
             nothing_served: bool) -> tuple[Published, StateStore]:
    """Publish these files, recording revisions and the last good copy in `store`; a fault
    met on the way when nothing is served yet (a database that opens but cannot be written)
    falls back to numbers kept in memory, so that the worker still starts."""
    imported = app.extensions[IMPORTED]
    try:
        published = publish(directory, store, now, files=files, imported=imported,
                            memo_max_bytes=app.config["MEMO_MAX_BYTES"])
        store.save_snapshot(published.catalog.version, published.catalog.files, now)
        return published, store
    except StoreFault as exc:
        if not nothing_served or store.in_memory_only:
            raise
        store = _memory_store(app.config["STATE_PATH"], exc)
        return publish(directory, store, now, files=files, imported=imported,
                       memo_max_bytes=app.config["MEMO_MAX_BYTES"]), store


def _version(app: Flask, files: dict) -> str:
    """The data version these files would be served as, with the import in force."""
    imported: Imported | None = app.extensions[IMPORTED]
    return data_version(files, imported.data_part if imported else "")


def _refuse_a_sudden_shrink(directory: Path, files: dict, served: Published | None,
                            store: StateStore, marker: NewestMarker, limit: float) -> None:
    """A folder that lost most of its schedule files (a deploy half done, `rm` in the wrong
    place) is a fault: the last good data stays until the operator creates SHRINK_MARKER.
    At start the comparison is with the last good copy, if it is this folder's."""
    if served is not None:
        before = len(served.catalog.files)
    else:
        try:
            snapshot = store.load_snapshot()
        except StoreFault:
            snapshot = None     # unreadable: starting matters more than this comparison
        ours = snapshot is not None and marker.read(str(directory)) == snapshot.version
        before = len(snapshot.files) if ours else 0
    if before and len(files) < before * limit and not (directory / SHRINK_MARKER).exists():
        raise CatalogError([FileError(str(directory), (
            f"the folder holds {len(files)} schedule file(s) where {before} were served: a "
            f"catalogue that shrinks below {limit:.0%} of its files is held back as a fault; "
            f"to publish it, create {SHRINK_MARKER} in the folder (and remove it after)"))])


def _start_from_last_good(app: Flask) -> None:
    status: LoadStatus = app.extensions[STATUS]
    try:
        store = StateStore.open(app.config["STATE_PATH"], app.extensions.get(DATABASE))
        snapshot = store.load_snapshot()
    except StoreFault as exc:
        raise CatalogError([*status.errors, FileError(
            app.config["STATE_PATH"], f"no last good copy to serve: {exc.reason}")]) \
            from None
    if snapshot is None:
        raise CatalogError(list(status.errors))
    published, store = _publish(
        app, Path(app.config["SCHEDULES_DIR"]), snapshot.files, app.config["CLOCK"](), store,
        nothing_served=True)
    _serve(app, published)
    status.last_success, status.serving = snapshot.loaded_at, "last_good"
    status.store_fault = store.fault
    log.warning("serving the last good schedules (data version %s, loaded %s) until the "
                "folder validates", snapshot.version, snapshot.loaded_at.isoformat())


def _serve(app: Flask, published: Published) -> None:
    """Make what requests need of this version (PREPARE), then serve it. A step that fails is
    logged and left to the first request that needs it: it never stops data being served."""
    for prepare in app.extensions.get(PREPARE, ()):
        try:
            prepare(published)
        except Exception:
            log.exception("could not prepare data version %s ahead of requests",
                          published.catalog.version)
    app.extensions[EXTENSION] = published
    settle(app)


def prepare_with(app: Flask, step, *, at_start_beside: bool = False) -> None:
    """Run `step(published)` on each data version before it is served, and on the one served
    now: at start, before any request, or with `at_start_beside` in a thread of its own beside
    the first requests (a step whose result a request waits for if it comes first, so that a
    worker's first answer does not wait for what few requests need)."""
    app.extensions.setdefault(PREPARE, []).append(step)
    if EXTENSION in app.extensions:
        if at_start_beside:
            threading.Thread(target=step, args=(app.extensions[EXTENSION],),
                             name="calfeed-prepare", daemon=True).start()
        else:
            step(app.extensions[EXTENSION])


def served(app: Flask) -> Published:
    """What this worker serves, first catching up with a newer version another worker
    published: one stat a request, so that no worker serves data older than the newest the
    state database recorded (and no client sees a SEQUENCE go down between workers)."""
    hold: Hold = app.extensions[HOLD]
    if hold.marker.changed():
        _adopt_newest(app, hold.marker)
    return app.extensions[EXTENSION]


def _adopt_newest(app: Flask, marker: NewestMarker) -> None:
    hold: Hold = app.extensions[HOLD]
    status: LoadStatus = app.extensions[STATUS]
    if app.extensions[IMPORTED] is not None and dataset_moved(app):
        # A new dataset: seconds of import, which a request must not wait for. This worker's
        # reloader loads it beside what is served, woken now; requests go on meanwhile.
        if RELOADER in app.extensions:
            app.extensions[RELOADER].wake.set()
        return
    # The first request loads the newer version; the others wait for it, but no longer than
    # CATCH_UP_SECONDS (a huge catalogue): then they answer from what is served meanwhile.
    if not hold.lock.acquire(timeout=hold.catch_up_seconds):
        return
    try:
        seen = marker.look()
        if seen == marker.seen:
            return
        newest = marker.read(str(app.config["SCHEDULES_DIR"]))
        if newest is None:
            marker.seen = seen
            return
        current = app.extensions.get(EXTENSION)
        if current is not None and current.catalog.version == newest:
            marker.seen = seen
            return
        try:
            store = _open_store(app, current is None)
            snapshot = store.load_snapshot()
            if snapshot is None or snapshot.version != newest:
                # Already replaced by a later load, or lost with the database: the next
                # marker, or this worker's own reloader, brings the newest data.
                marker.seen = seen
                return
            now = app.config["CLOCK"]()
            _import_today(app)      # the other worker's version counts today's horizon
            published = publish(Path(app.config["SCHEDULES_DIR"]), store, now,
                                files=snapshot.files, imported=app.extensions[IMPORTED],
                                memo_max_bytes=app.config["MEMO_MAX_BYTES"])
        except StoreFault as exc:
            status.store_fault = exc.reason
            marker.seen = seen      # keep serving; the reloader retries the folder
            return
        except Exception:
            # Catching up is an improvement, never a reason to fail the request.
            log.exception("could not catch up with data version %s", newest)
            marker.seen = seen
            return
        _serve(app, published)
        marker.seen = seen
        status.errors, status.last_success, status.serving = (), now, "folder"
        status.store_fault = None
        log.info("caught up with data version %s, published by another worker", newest)
    finally:
        hold.lock.release()


def current() -> Published:
    """The data this request is answered from: fixed at its first use, so that one response
    never mixes two versions even if a reload swaps the data meanwhile."""
    if has_request_context():
        if "calfeed_published" not in g:
            g.calfeed_published = served(current_app)
        return g.calfeed_published
    return current_app.extensions[EXTENSION]


def may_see_details() -> bool:
    """/healthz's details go to loopback (an operator on the machine) or to a client with the
    HEALTH_TOKEN. Behind a proxy, TRUSTED_PROXIES makes the address the client's, not the
    proxy's loopback one."""
    token = current_app.config["HEALTH_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if not current_app.config["TRUSTED_PROXIES"] and "X-Forwarded-For" in request.headers:
        # Proxied, with TRUSTED_PROXIES unset: loopback is the proxy, not the client.
        return False
    return request.remote_addr in ("127.0.0.1", "::1")


def load_status() -> LoadStatus:
    return current_app.extensions[STATUS]


def now() -> datetime:
    return current_app.config["CLOCK"]()

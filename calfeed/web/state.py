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

from ..errors import CatalogError, ScheduleError
from ..publish.catalog import data_version
from ..publish.published import Published, publish
from ..render.health import LoadStatus
from ..schedule.show_file import read_folder
from .reloader import Reloader
from .state_store import StateStore, StoreFault

EXTENSION = "calfeed.published"
STATUS = "calfeed.load-status"
RELOADER = "calfeed.reloader"
HOLD = "calfeed.hold"
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
    marker: str | None = None           # the file naming the newest version (None: no file)
    marker_seen: tuple | None = None    # the newest-version marker, as last looked at
    memory_high: int | None = None      # highest SEQUENCE served while numbering from memory
    catch_up_seconds: float = 5.0       # how long a request waits for a load by another thread


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def init_app(app: Flask) -> None:
    """Publish the schedules now: invalid data never gets served, even at start."""
    if not app.config.get("STATE_PATH"):
        app.config["STATE_PATH"] = os.path.join(app.instance_path, "state.sqlite3")
    app.config.setdefault("CLOCK", system_clock)
    app.extensions[STATUS] = LoadStatus()
    path = app.config["STATE_PATH"]
    app.extensions[HOLD] = Hold(marker=None if path == ":memory:" else f"{path}.served",
                                catch_up_seconds=float(app.config["CATCH_UP_SECONDS"]))
    outcome = _load(app)
    if EXTENSION not in app.extensions:
        _start_from_last_good(app)
    interval = app.config["RELOAD_INTERVAL"]
    if interval and interval > 0:
        app.extensions[RELOADER] = Reloader(
            Path(app.config["SCHEDULES_DIR"]), lambda: _load(app) is not Outcome.RETRY,
            float(interval), float(app.config["RELOAD_SETTLE_SECONDS"]), (SHRINK_MARKER,),
            retry=outcome is Outcome.RETRY)
        app.extensions[RELOADER].start()


def reload(app: Flask) -> bool:
    """Load the schedules again and swap them in whole; on any problem keep what is served.

    Returns whether the folder's data is now served.
    """
    return _load(app) is Outcome.LOADED


def _load(app: Flask) -> Outcome:
    status: LoadStatus = app.extensions[STATUS]
    hold: Hold = app.extensions[HOLD]
    directory = Path(app.config["SCHEDULES_DIR"])
    with hold.lock:
        served: Published | None = app.extensions.get(EXTENSION)
        now = app.config["CLOCK"]()
        try:
            files = read_folder(directory)
            if served is not None and not status.errors and status.store_fault is None \
                    and data_version(files) == served.catalog.version:
                return Outcome.LOADED      # adopted already from another worker's load
            store = _open_store(app, served is None)
            _refuse_a_sudden_shrink(directory, files, served, store,
                                    float(app.config["SHRINK_LIMIT"]))
            published = publish(directory, store, now, files=files)
            store.save_snapshot(published.catalog.version, published.catalog.files, now)
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
            status.errors = (ScheduleError(str(directory), 1, 1,
                                           f"the load failed: {type(exc).__name__}: {exc}"),)
            return Outcome.REFUSED
        if not store.in_memory_only:    # numbers from memory are this worker's alone
            _announce_newest(app, published.catalog.version)
        # One assignment: requests see the old data or the new, never a mixture.
        app.extensions[EXTENSION] = published
        status.errors, status.last_success, status.serving = (), now, "folder"
        status.store_fault = store.fault
        if store.in_memory_only:
            hold.memory_high = max((r.sequence for r in published.revisions.values()),
                                   default=hold.memory_high or 0)
        log.info("schedules loaded: data version %s, %d show(s)", published.catalog.version,
                 len(published.catalog.shows))
        return Outcome.RETRY if store.in_memory_only else Outcome.LOADED


def _open_store(app: Flask, nothing_served: bool) -> StateStore:
    """The state database; when it cannot be used and nothing is served yet, numbers from
    memory (above the high-water mark), so the worker starts anyway."""
    path = app.config["STATE_PATH"]
    hold: Hold = app.extensions[HOLD]
    try:
        store = StateStore.open(path)
    except StoreFault as exc:
        if not nothing_served:
            raise
        log.error("%s; serving with SEQUENCE numbers kept in memory until it can be used",
                  exc.reason)
        store = StateStore.in_memory(path)
        store.fault = f"{exc.reason}; SEQUENCE numbers kept in memory until it can be used"
        return store
    if store.notice:
        log.error("%s; a new state database was started", store.notice)
    if hold.memory_high is not None:
        # Numbers served from memory meanwhile must not be undercut by the database's.
        store.raise_base(hold.memory_high)
        hold.memory_high = None
    store.fault = None
    return store


def _refuse_a_sudden_shrink(directory: Path, files: dict, served: Published | None,
                            store: StateStore, limit: float) -> None:
    """A folder that lost most of its schedule files (a deploy half done, `rm` in the wrong
    place) is a fault: the last good data stays until the operator creates SHRINK_MARKER."""
    if served is not None:
        before = len(served.catalog.files)
    else:
        snapshot = store.load_snapshot()
        before = len(snapshot.files) if snapshot else 0
    if before and len(files) < before * limit and not (directory / SHRINK_MARKER).exists():
        raise CatalogError([ScheduleError(str(directory), 1, 1, (
            f"the folder holds {len(files)} schedule file(s) where {before} were served: a "
            f"catalogue that shrinks below {limit:.0%} of its files is held back as a fault; "
            f"to publish it, create {SHRINK_MARKER} in the folder (and remove it after)"))])


def _start_from_last_good(app: Flask) -> None:
    status: LoadStatus = app.extensions[STATUS]
    try:
        store = StateStore.open(app.config["STATE_PATH"])
        snapshot = store.load_snapshot()
    except StoreFault as exc:
        raise CatalogError([*status.errors, ScheduleError(
            app.config["STATE_PATH"], 1, 1, f"no last good copy to serve: {exc.reason}")]) \
            from None
    if snapshot is None:
        raise CatalogError(list(status.errors))
    app.extensions[EXTENSION] = publish(Path(app.config["SCHEDULES_DIR"]), store,
                                        app.config["CLOCK"](), files=snapshot.files)
    status.last_success, status.serving = snapshot.loaded_at, "last_good"
    log.warning("serving the last good schedules (data version %s, loaded %s) until the "
                "folder validates", snapshot.version, snapshot.loaded_at.isoformat())


def _announce_newest(app: Flask, version: str) -> None:
    """Tell the other workers which data version is newest (written whole, by rename)."""
    hold: Hold = app.extensions[HOLD]
    if hold.marker is None:
        return
    try:
        temporary = f"{hold.marker}.{os.getpid()}"
        Path(temporary).write_text(version + "\n")
        os.replace(temporary, hold.marker)
        hold.marker_seen = _look(hold.marker)
    except OSError as exc:
        log.warning("could not tell other workers of data version %s: %s", version, exc)


def _look(marker: str) -> tuple | None:
    try:
        s = os.stat(marker)
        return (s.st_mtime_ns, s.st_size, s.st_ino)
    except OSError:
        return None


def served(app: Flask) -> Published:
    """What this worker serves, first catching up with a newer version another worker
    published: one stat a request, so that no worker serves data older than the newest the
    state database recorded (and no client sees a SEQUENCE go down between workers)."""
    hold: Hold = app.extensions[HOLD]
    if hold.marker is not None and _look(hold.marker) != hold.marker_seen:
        _adopt_newest(app, hold.marker)
    return app.extensions[EXTENSION]


def _adopt_newest(app: Flask, marker: str) -> None:
    hold: Hold = app.extensions[HOLD]
    status: LoadStatus = app.extensions[STATUS]
    # The first request loads the newer version; the others wait for it, but no longer than
    # CATCH_UP_SECONDS (a huge catalogue): then they answer from what is served meanwhile.
    if not hold.lock.acquire(timeout=hold.catch_up_seconds):
        return
    try:
        seen = _look(marker)
        if seen == hold.marker_seen:
            return
        try:
            newest = Path(marker).read_text().strip()
        except OSError:
            return
        current = app.extensions.get(EXTENSION)
        if current is not None and current.catalog.version == newest:
            hold.marker_seen = seen
            return
        try:
            store = _open_store(app, current is None)
            snapshot = store.load_snapshot()
            if snapshot is None or snapshot.version != newest:
                # Already replaced by a later load, or lost with the database: the next
                # marker, or this worker's own reloader, brings the newest data.
                hold.marker_seen = seen
                return
            now = app.config["CLOCK"]()
            published = publish(Path(app.config["SCHEDULES_DIR"]), store, now,
                                files=snapshot.files)
        except StoreFault as exc:
            status.store_fault = exc.reason
            hold.marker_seen = seen      # keep serving; the reloader retries the folder
            return
        except Exception:
            # Catching up is an improvement, never a reason to fail the request.
            log.exception("could not catch up with data version %s", newest)
            hold.marker_seen = seen
            return
        app.extensions[EXTENSION] = published
        hold.marker_seen = seen
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
    return request.remote_addr in ("127.0.0.1", "::1")


def load_status() -> LoadStatus:
    return current_app.extensions[STATUS]


def now() -> datetime:
    return current_app.config["CLOCK"]()


def check_before_serving(schedules_dir: str, state_path: str) -> str | None:
    """What `deploy/serve.py` asks before starting workers: None when there is good data to
    serve (the folder, or else the last good copy in the state database, which is then served
    while /healthz says degraded, as nginx keeps its old configuration on a bad reload); the
    message to refuse with otherwise."""
    from ..publish.catalog import load_catalog
    try:
        load_catalog(Path(schedules_dir))
        return None
    except CatalogError as exc:
        try:
            snapshot = StateStore.open(state_path).load_snapshot()
        except StoreFault:
            snapshot = None
        if snapshot is None:
            return cannot_start(exc)
        return None


def cannot_start(error: CatalogError) -> str:
    """What `wsgi.py` and `deploy/serve.py` print when there is nothing good to serve."""
    return (f"{error}\ncalfeed: the schedules do not validate and the state database holds no "
            "last good copy; fix them (see 'calfeed check')")

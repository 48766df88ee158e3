"""The app's hold on what it serves: published at start, replaced whole on reload.

A load that fails never replaces what is served: the last good data stays, and the problems
are kept for /healthz and written to the log. A start that finds the folder invalid serves
the last good schedules kept in the state store, if there are any, and refuses otherwise.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, current_app, g, has_request_context

from ..errors import CatalogError, ScheduleError
from ..render.health import LoadStatus
from ..publish.published import Published, publish
from ..publish.revisions import RevisionStore

EXTENSION = "calfeed.published"
STATUS = "calfeed.load-status"
RELOADER = "calfeed.reloader"
log = logging.getLogger("calfeed.reload")


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def init_app(app: Flask) -> None:
    """Publish the schedules now: invalid data never gets served, even at start."""
    if not app.config.get("STATE_PATH"):
        app.config["STATE_PATH"] = os.path.join(app.instance_path, "state.sqlite3")
    app.config.setdefault("CLOCK", system_clock)
    app.extensions[STATUS] = LoadStatus()
    if not reload(app):
        _start_from_last_good(app)
    interval = app.config["RELOAD_INTERVAL"]
    if interval and interval > 0:
        from .reloader import Reloader
        app.extensions[RELOADER] = Reloader(app, float(interval))
        app.extensions[RELOADER].start()


def reload(app: Flask) -> bool:
    """Load the schedules again and swap them in whole; on any problem keep what is served.

    Returns whether the new data is now served.
    """
    status: LoadStatus = app.extensions[STATUS]
    store = RevisionStore(app.config["STATE_PATH"])
    now = app.config["CLOCK"]()
    try:
        published = publish(Path(app.config["SCHEDULES_DIR"]), store, now)
    except CatalogError as exc:
        status.errors = exc.errors
        for error in exc.errors:
            log.error("%s", error)
        served = app.extensions.get(EXTENSION)
        log.error("schedules not loaded: %d problem(s); %s", len(exc.errors),
                  f"still serving data version {served.catalog.version}" if served
                  else "nothing loaded yet")
        return False
    except Exception as exc:
        # A failure validation did not foresee is still a failed load: reported, not ignored.
        log.exception("schedules not loaded: the load failed")
        status.errors = (ScheduleError(str(app.config["SCHEDULES_DIR"]), 1, 1,
                                       f"the load failed: {type(exc).__name__}: {exc}"),)
        return False
    store.save_snapshot(published.catalog.version, dict(published.catalog.files), now)
    # One assignment: requests see the old data or the new, never a mixture.
    app.extensions[EXTENSION] = published
    status.errors, status.last_success, status.serving_last_good = (), now, False
    log.info("schedules loaded: data version %s, %d show(s)", published.catalog.version,
             len(published.catalog.shows))
    return True


def _start_from_last_good(app: Flask) -> None:
    status: LoadStatus = app.extensions[STATUS]
    store = RevisionStore(app.config["STATE_PATH"])
    snapshot = store.load_snapshot()
    if snapshot is None:
        raise CatalogError(list(status.errors))
    app.extensions[EXTENSION] = publish(Path(app.config["SCHEDULES_DIR"]), store,
                                        app.config["CLOCK"](), files=snapshot.files)
    status.last_success, status.serving_last_good = snapshot.loaded_at, True
    log.warning("serving the last good schedules (data version %s, loaded %s) until the "
                "folder validates", snapshot.version, snapshot.loaded_at.isoformat())


def current() -> Published:
    """The data this request is answered from: fixed at its first use, so that one response
    never mixes two versions even if a reload swaps the data meanwhile."""
    if has_request_context():
        if "calfeed_published" not in g:
            g.calfeed_published = current_app.extensions[EXTENSION]
        return g.calfeed_published
    return current_app.extensions[EXTENSION]


def load_status() -> LoadStatus:
    return current_app.extensions[STATUS]


def now() -> datetime:
    return current_app.config["CLOCK"]()

"""Catching up with a data version another worker published, named by the newest marker."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .load import import_today, open_store, publish_files
from .revision_store import StoreFault

if TYPE_CHECKING:
    from .service import Service

log = logging.getLogger("calfeed.reload")


def adopt_newest(service: Service) -> None:
    """Serve the version the marker names, from the state database's copy of its files,
    unless this worker serves it already or cannot get it now (it keeps serving meanwhile)."""
    marker, status = service.marker, service.status
    if service.imported is not None and service.dataset_moved():
        # A new dataset: seconds of import, which a request must not wait for. This worker's
        # reloader loads it beside what is served, woken now; requests go on meanwhile.
        if service.reloader is not None:
            service.reloader.wake.set()
        return
    # The first request loads the newer version; the others wait for it, but no longer than
    # CATCH_UP_SECONDS (a huge catalogue): then they answer from what is served meanwhile.
    if not service.lock.acquire(timeout=service.settings.catch_up_seconds):
        return
    try:
        seen = marker.look()
        if seen == marker.seen:
            return
        newest = marker.read(str(service.settings.schedules_dir))
        current = service.published
        if newest is None or (current is not None and current.catalogue.version == newest):
            marker.seen = seen
            return
        try:
            store = open_store(service, current is None)
            snapshot = store.load_snapshot()
            if snapshot is None or snapshot.version != newest:
                # Already replaced by a later load, or lost with the database: the next
                # marker, or this worker's own reloader, brings the newest data.
                marker.seen = seen
                return
            now = service.clock()
            import_today(service)      # the other worker's version counts today's horizon
            published = publish_files(service, snapshot.files, now, store)
        except StoreFault as exc:
            status.store_fault = exc.reason
            marker.seen = seen      # keep serving; the reloader retries the folder
            return
        except Exception:
            # Catching up is an improvement, never a reason to fail the request.
            log.exception("could not catch up with data version %s", newest)
            marker.seen = seen
            return
        service.serve(published)
        marker.seen = seen
        status.errors, status.last_success, status.serving = (), now, "folder"
        status.store_fault = None
        log.info("caught up with data version %s, published by another worker", newest)
    finally:
        service.lock.release()

"""The serving core: one `Service` per worker holds what it serves and everything that keeps it.

Built from `Settings` and a clock, without Flask: the web layer (web/state.py) makes one per
app and answers requests from `served()`; tests and commands drive it directly. It owns the
start (the folder, else the last good copy), each load (load.py), catching up with a version
another worker published (catch_up.py), the reloader and dataset updater threads, the
SEQUENCE store (revision_store.py) and the personal calendars' store.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing.util
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from ..calendars.pg_store import PgCalendarStore
from ..calendars.store import CalendarStore
from ..database import Database
from ..publish.published import Published
from ..index.title_keys import Readings
from ..publish.status import LoadStatus
from ..source.datasets import DatasetStore
from ..source.loading import Imported, horizon_day
from . import catch_up, load
from .dataset_updates import DatasetUpdater
from .heap import freeze_heap
from .newest import NewestMarker
from .reloader import Reloader
from .settings import Settings
from .stores import Calendars

log = logging.getLogger("calfeed.reload")


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class Service:
    """What one worker serves, and the parts that load, keep and replace it."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = system_clock, *,
                 timer: Callable[[], float] = time.monotonic, database: Database | None = None):
        self.settings = settings
        self.clock = clock          # the wall clock every answer is made at
        self.timer = timer          # seconds, for the reloader's settle period
        self.database = database    # PostgreSQL shared by instances; None: SQLite files
        self.status = LoadStatus()
        self.published: Published | None = None      # swapped whole, in one assignment
        self.imported: Imported | None = None
        self.lock = threading.RLock()                 # one load at a time
        self.marker = NewestMarker(settings.state_path)
        self.datasets = DatasetStore(settings.dataset_dir)
        self.dataset_seen: tuple = ()       # the dataset pointer as this worker last imported
        self.memory_high: int | None = None  # highest SEQUENCE served numbering from memory
        self.readings = Readings(settings.readings_path)
        self.reloader: Reloader | None = None
        self.updater: DatasetUpdater | None = None
        self.calendars: Calendars | None = None
        # One calendar form worked on at a time in this worker (web/calendar_edge.py).
        self.saving = threading.Lock()
        # The whole-response cache the web layer put in front of the app, if any.
        self.response_cache = None
        self._prepare: list[Callable[[Published], object]] = []
        self._beside: list[threading.Thread] = []

    def start(self) -> None:
        """Publish the schedules now (invalid data is never served, even at start: the last
        good copy is, else CatalogueError), then open the calendars and start the threads."""
        self.imported = load.import_catalogue(self)
        outcome = load.load(self)
        if self.published is None:
            load.start_from_last_good(self)
        self._open_calendars()
        settings = self.settings
        if settings.reload_interval > 0:
            self.reloader = Reloader(
                settings.schedules_dir, lambda: load.load(self).settled,
                settings.reload_interval, settings.reload_settle_seconds, (load.SHRINK_MARKER,),
                retry=not outcome.settled or self.status.store_fault is not None,
                # A new day moves the imported open-ended shows' horizon, and a new dataset
                # pointer names another dataset: each is due a load, as an edit is.
                day=(lambda: (horizon_day(self.clock()), self.datasets.pointer_state()))
                if self.imported else None, timer=self.timer)
            self.reloader.start()
        if self.imported and settings.dataset_update_hours > 0:
            self.updater = DatasetUpdater(self.datasets, settings.dataset_update_hours,
                                          settings.update_environment(), self.clock)
            self.updater.start()

    def _open_calendars(self) -> None:
        # Both stores have the same methods and answers: the web layer never knows which.
        self.calendars = calendars = \
            CalendarStore(self.settings.calendars_path, self.settings.calendar_limits) \
            if self.database is None else \
            PgCalendarStore(self.database, self.settings.calendar_limits)
        # At a clean stop, fold the write-ahead log into the file: calendars were left in
        # calendars.sqlite3-wal, and a plain copy held none of them. granian's workers are
        # multiprocessing children, which end with os._exit after multiprocessing's own
        # finalizers (atexit is not run there); other servers end through atexit. Closing
        # twice is harmless.
        atexit.register(calendars.close)
        multiprocessing.util.Finalize(None, calendars.close, exitpriority=10)

    def stop(self) -> None:
        """End the threads and close the database's connections (tests, a clean stop)."""
        for thread in (self.reloader, self.updater):
            if thread is not None:
                thread.stop()
        # A step still preparing beside the first requests finishes first: a stopped service
        # leaves no thread of its own behind (a test's next app would meet it mid-build).
        for thread in self._beside:
            thread.join(timeout=60)
        if self.database is not None:
            self.database.close()

    def reload(self) -> bool:
        """Load the schedules again and swap them in whole; on any problem keep what is
        served. Returns whether the folder's data is now served (with SEQUENCE numbers kept
        in memory too, while the state database cannot be used)."""
        return load.load(self).served

    def served(self) -> Published:
        """What this worker serves, first catching up with a newer version another worker
        published: one stat a request, so that no worker serves data older than the newest the
        state database recorded (and no client sees a SEQUENCE go down between workers)."""
        if self.marker.changed():
            catch_up.adopt_newest(self)
        return self.published

    def dataset_moved(self) -> bool:
        """Whether the dataset folder's pointer changed since this worker imported (one stat)."""
        return self.datasets.pointer_state() != self.dataset_seen

    def prepare_with(self, step: Callable[[Published], object], *,
                     at_start_beside: bool = False) -> None:
        """Run `step(published)` on each data version before it is served, and on the one
        served now: at once, or with `at_start_beside` in a thread of its own beside the first
        requests (a step whose result a request waits for if it comes first, so that a
        worker's first answer does not wait for what few requests need)."""
        self._prepare.append(step)
        if self.published is not None:
            if at_start_beside:
                thread = threading.Thread(target=step, args=(self.published,),
                                          name="calfeed-prepare", daemon=True)
                self._beside.append(thread)
                thread.start()
            else:
                step(self.published)

    def serve(self, published: Published) -> None:
        """Make what requests need of this version (prepare_with), then serve it. A step that
        fails is logged and left to the first request that needs it: it never stops data
        being served."""
        for prepare in self._prepare:
            try:
                prepare(published)
            except Exception:
                log.exception("could not prepare data version %s ahead of requests",
                              published.catalogue.version)
        # One assignment: requests see the old data or the new, never a mixture.
        self.published = published
        if self.settings.freeze_heap:
            freeze_heap()


"""Live reload: a thread per process that notices settled changes to a folder and calls back.

It knows nothing of what a load does: `load()` answers whether the folder's present contents
were dealt with (loaded, or refused for what they say) or must be tried again (a fault). It
reads time only through its `timer`, so a test steps it with a clock of its own.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from typing import Callable

from ..schedule.show_file import schedule_files

log = logging.getLogger("calfeed.reload")


def fingerprint(directory: Path, also: tuple[str, ...] = ()) -> tuple:
    """What the folder's files look like from outside: names, sizes, change times; and
    whether each of the `also` files (operator markers) is there."""
    try:
        files = tuple((p.name, s.st_size, s.st_mtime_ns, s.st_ino)
                      for p in schedule_files(directory) for s in [p.stat()])
        return files + tuple((name, (directory / name).exists()) for name in also)
    except OSError:
        return ("unreadable",)


class Reloader:
    """Checks the folder every `interval` seconds, or at once on SIGHUP.

    A change is loaded only once the folder has looked the same for `settle` seconds, so a file
    caught mid-write (a copy in progress, an editor saving) is not loaded half-written.
    """

    def __init__(self, directory: Path, load: Callable[[], bool], interval: float,
                 settle: float = 0.0, also: tuple[str, ...] = (), retry: bool = False,
                 day: Callable[[], object] | None = None,
                 timer: Callable[[], float] = time.monotonic):
        self.directory = Path(directory)
        self.load = load
        self.interval = interval
        self.settle = settle
        self.also = also
        self.day = day      # a value whose change is due a load like the folder's (a new day)
        self.timer = timer  # seconds, for the settle period only
        self.wake = threading.Event()
        self.stopped = threading.Event()
        # None: what is served is not known to match the folder, so the first check loads.
        self.seen = None if retry else self._look()
        self.pending: tuple[tuple, float] | None = None   # a change, and since when it held

    def check(self, force: bool = False) -> bool | None:
        """Load if the folder changed and settled (or when forced); None when nothing was due."""
        now = self._look()
        if now == self.seen and not force:
            self.pending = None
            return None
        if not force and self.settle > 0:
            if self.pending is None or self.pending[0] != now:
                self.pending = (now, self.timer())
                return None
            if self.timer() - self.pending[1] < self.settle:
                return None
        self.pending = None
        settled = self.load()
        # A load that failed on a fault (not on the data) leaves the change unseen: retried.
        self.seen = now if settled else None
        return settled

    def _look(self) -> tuple:
        found = fingerprint(self.directory, self.also)
        return found + (self.day(),) if self.day else found

    def start(self) -> None:
        threading.Thread(target=self._run, name="calfeed-reloader", daemon=True).start()
        if threading.current_thread() is threading.main_thread():
            # A worker that gets SIGHUP reloads at once. (granian's master answers SIGHUP by
            # starting new workers, which load the folder, or the last good copy, as they start.)
            signal.signal(signal.SIGHUP, lambda *_: self.wake.set())

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def _run(self) -> None:
        while not self.stopped.is_set():
            # While a change settles, look again after the settle period, not a whole interval.
            wait = min(self.interval, self.settle) if self.pending else self.interval
            forced = self.wake.wait(wait)
            self.wake.clear()
            if self.stopped.is_set():
                break
            try:
                self.check(force=forced)
            except Exception:   # the thread must outlive any one failed check
                log.exception("checking the schedules failed; trying again in %s s",
                              self.interval)

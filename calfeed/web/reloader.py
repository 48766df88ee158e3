"""Live reload: a thread per process that notices changed schedule files and reloads them."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

from flask import Flask

from . import state
from ..schedule.show_file import schedule_files

log = logging.getLogger("calfeed.reload")


def fingerprint(directory: Path) -> tuple:
    """What the folder's files look like from outside: names, sizes, change times."""
    try:
        return tuple((p.name, s.st_size, s.st_mtime_ns, s.st_ino)
                     for p in schedule_files(directory) for s in [p.stat()])
    except OSError:
        return ("unreadable",)


class Reloader:
    """Checks the schedules folder every `interval` seconds, or at once on SIGHUP."""

    def __init__(self, app: Flask, interval: float):
        self.app = app
        self.interval = interval
        self.directory = Path(app.config["SCHEDULES_DIR"])
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.seen = fingerprint(self.directory)

    def check(self, force: bool = False) -> bool | None:
        """Reload if the folder changed (or when forced); None when there was nothing to do."""
        now = fingerprint(self.directory)
        if now == self.seen and not force:
            return None
        self.seen = now
        return state.reload(self.app)

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
            forced = self.wake.wait(self.interval)
            self.wake.clear()
            if self.stopped.is_set():
                break
            try:
                self.check(force=forced)
            except Exception:   # the thread must outlive any one failed check
                log.exception("checking the schedules failed; trying again in %s s",
                              self.interval)

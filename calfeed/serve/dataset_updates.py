"""Automatic dataset updates: a thread per worker, one check at a time across the machine.

Every worker runs the thread, but a check happens only when the last one, recorded in the
dataset folder (`checked.json`), is DATASET_UPDATE_HOURS old, and only by the worker that
takes the folder's check lock: the others see the record and wait for the next period. The
update itself runs as `calfeed dataset update` in a child process, so its download, unpacking
and whole import (seconds of CPU, a second copy of the catalogue) cost the worker neither
memory nor the interpreter's lock while it answers requests. What it installs, every worker's
reloader then sees as a new pointer and loads beside what it serves.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Callable

from ..source.datasets import DatasetStore, parse_time

log = logging.getLogger("calfeed.dataset")
CHECKED = "checked.json"
CHECK_LOCK = ".check-lock"
UPDATE_TIMEOUT = 900        # seconds an update may take (download, import) before it is ended
POLL = 60.0                 # seconds between looks at the record, at most


def last_check(directory: Path) -> dict | None:
    """The latest automatic check: {"checked", "ok", "message"}; None if none was made."""
    try:
        found = json.loads((directory / CHECKED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _record(directory: Path, checked: datetime, ok: bool, message: str) -> None:
    temporary = directory / f".{CHECKED}.{os.getpid()}"
    temporary.write_text(json.dumps({"checked": checked.isoformat(), "ok": ok,
                                     "message": message[-2000:]}), encoding="utf-8")
    os.replace(temporary, directory / CHECKED)


class DatasetUpdater:
    """Checks the registry every `hours`, when no other worker of the machine just did."""

    def __init__(self, store: DatasetStore, hours: float, environment: dict[str, str],
                 clock: Callable[[], datetime]):
        self.store = store
        self.period = hours * 3600
        self.environment = environment      # the settings the child process must see
        self.clock = clock
        self.stopped = threading.Event()

    def due(self) -> bool:
        found = last_check(self.store.directory)
        checked = parse_time(found.get("checked")) if found else None
        return checked is None or (self.clock() - checked).total_seconds() >= self.period

    def check(self) -> bool | None:
        """Run one check if it is due and no other worker holds the lock; None if not run,
        else whether it succeeded (a new version installed, or none newer)."""
        if not self.due():
            return None
        self.store.directory.mkdir(parents=True, exist_ok=True)
        with open(self.store.directory / CHECK_LOCK, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None         # another worker is checking
            if not self.due():      # it checked while this one waited to look
                return None
            choice = self.store.choice()
            if choice is not None and choice.chosen:
                message = (f"held at bangumi-data {choice.version} by 'calfeed dataset use'; "
                           "'calfeed dataset update' moves it on")
                log.info("dataset check: %s", message)
                _record(self.store.directory, self.clock(), True, message)
                return True
            ok, message = self._update()
            _record(self.store.directory, self.clock(), ok, message)
            return ok

    def _update(self) -> tuple[bool, str]:
        command = [sys.executable, "-m", "calfeed.cli", "dataset", "update"]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=UPDATE_TIMEOUT, env={**os.environ, **self.environment},
                                  cwd=Path(__file__).resolve().parents[2])
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("dataset check failed: %s; the dataset served stays", exc)
            return False, f"the update could not run: {exc}"
        lines = (done.stdout + done.stderr).strip().splitlines()
        if done.returncode != 0:
            message = " ".join(line.removeprefix("Error: ") for line in lines[-3:])
            log.error("dataset check refused or failed: %s", message)
            return False, message
        for line in lines[:2] + lines[-1:]:
            log.info("dataset check: %s", line)
        return True, lines[-1] if lines else "checked"

    def start(self) -> None:
        threading.Thread(target=self._run, name="calfeed-dataset-updates", daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.check()
            except Exception:   # the thread must outlive any one failed check
                log.exception("the dataset check failed")
            # Looking at the record costs a file read; the period may be a fraction of an hour.
            self.stopped.wait(min(POLL, max(self.period / 4, 1.0)))

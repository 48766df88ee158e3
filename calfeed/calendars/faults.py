"""Faults of the personal calendars' storage: logged once, shown on /healthz, a 503 to requests.

Backend-neutral: a store turns its own errors into `Unavailable` and reports them to its
`Faults`. A damaged file is set aside by renaming it (never deleted, never overwritten) after a
note beside it says where it went; while the note is there, no worker makes a new file in its
place, so the calendars it may still hold are recovered by the operator, not lost to a fresh
start (docs/deploy.md, "When the calendars file is damaged").
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger("calfeed.calendars")


class Unavailable(RuntimeError):
    """The calendars cannot be used now: what the person is told, and when to try again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


# Seconds without a failure before a fault counts as cleared: under a flood, saves that wait
# too long for the lock and saves that get it alternate, and each would be a log line.
QUIET_SECONDS = 5.0


class Faults:
    """The storage's current fault in this process: logged when it begins, changes and clears,
    not once per request (3,615 tracebacks for one read-only file, before)."""

    def __init__(self):
        self.reason: str | None = None     # for /healthz's details and the log
        self.on_write = False               # only a write can show a write fault cleared
        self._failed_at = 0.0
        self._lock = threading.Lock()

    def failed(self, reason: str, *, writing: bool) -> None:
        with self._lock:
            if reason != self.reason:
                log.error("personal calendars unavailable: %s", reason)
            self.reason, self.on_write = reason, writing
            self._failed_at = time.monotonic()

    def worked(self, *, writing: bool) -> None:
        if self.reason is None or (self.on_write and not writing) or \
                time.monotonic() - self._failed_at < QUIET_SECONDS:
            return
        with self._lock:
            if self.reason is not None:
                log.warning("personal calendars work again (was: %s)", self.reason)
                self.reason = None


def note_path(path: str) -> str:
    """The note an operator finds beside a damaged calendars file, saying what was done."""
    return f"{path}.damaged.txt"


def damaged_note(path: str) -> str | None:
    """The first line of the note, while it is there (None: the file may be used)."""
    try:
        return Path(note_path(path)).read_text().splitlines()[0]
    except (OSError, IndexError):
        return None


def set_aside(path: str, why: str) -> str:
    """Write the note, then rename the damaged file (and its -wal, -shm) out of the way; the
    note comes first so that no other worker makes a new file in its place meanwhile.
    Returns the note's first line: what every worker that meets the file reports."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = f"{path}.damaged-{stamp}"
    first = (f"{Path(path).name} was damaged ({why}) and was moved to {Path(aside).name}; "
             "personal calendars answer 503 until this note is removed.")
    text = (f"{first}\n\nWhat to do (docs/deploy.md, 'When the calendars file is damaged'):\n"
            f"- restore the latest backup to {path}, or recover what can be read:\n"
            f"    sqlite3 {aside} .recover | sqlite3 {path}\n"
            "- then delete this note: calfeed opens the file again within a minute.\n"
            f"Deleting this note without restoring starts an empty {Path(path).name}.\n")
    try:
        _write_whole(note_path(path), text)
    except FileExistsError:
        return damaged_note(path) or first       # another worker got there first
    except OSError as exc:
        log.error("could not write %s: %s", note_path(path), exc.strerror)
        return f"{Path(path).name} is damaged ({why}) and could not be set aside"
    for suffix in ("", "-wal", "-shm"):
        try:
            os.replace(path + suffix, aside + suffix)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.error("could not move %s aside: %s", path + suffix, exc.strerror)
    log.error("the calendars file %s was damaged (%s): moved aside to %s; see %s", path, why,
              aside, note_path(path))
    return first


def _write_whole(target: str, text: str) -> None:
    """`text` in a new file `target`, which another process sees whole or not at all (written
    beside it, then linked in); FileExistsError if it is there already. Another worker that
    reads the note while it is being written must find its first line, not an empty file."""
    partial = f"{target}.{secrets.token_hex(6)}.partial"
    try:
        with open(partial, "w") as out:
            out.write(text)
        try:
            os.link(partial, target)
        except FileExistsError:
            raise
        except OSError:
            # A file system without hard links: made, then written (a reader may find it
            # empty for that moment).
            with open(target, "x") as out:
                out.write(text)
    finally:
        with suppress(OSError):
            os.remove(partial)

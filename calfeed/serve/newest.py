"""The newest data version, named in a file beside the state database for every worker to see.

Workers poll the schedules folder on their own timers; this file lets the first worker that
loads a version tell the others at once. Looking costs one `stat` a request.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("calfeed.reload")


class NewestMarker:
    """`<state database>.served`: written whole (by rename) after a load is recorded."""

    def __init__(self, state_path: str):
        self.path = None if state_path == ":memory:" else f"{state_path}.served"
        self.seen: tuple | None = None      # the file as this worker last dealt with it

    def look(self) -> tuple | None:
        try:
            found = os.stat(self.path)
            return (found.st_mtime_ns, found.st_size, found.st_ino)
        except (OSError, TypeError):
            return None

    def changed(self) -> bool:
        """Whether another worker may have published since this one last looked."""
        return self.path is not None and self.look() != self.seen

    def read(self, folder: str) -> str | None:
        """The newest version of `folder`'s schedules; None if the file names another folder
        (apps that share a state database but not a folder do not adopt each other's data)."""
        try:
            version, _, named = Path(self.path).read_text().strip().partition("\n")
        except (OSError, TypeError):
            return None
        return version if named == folder else None

    def announce(self, version: str, folder: str) -> None:
        """Name `version` of `folder` as the newest, and count it as seen by this worker."""
        if self.path is None:
            return
        try:
            temporary = f"{self.path}.{os.getpid()}"
            Path(temporary).write_text(f"{version}\n{folder}\n")
            os.replace(temporary, self.path)
            self.seen = self.look()
        except OSError as exc:
            log.warning("could not tell other workers of data version %s: %s", version, exc)

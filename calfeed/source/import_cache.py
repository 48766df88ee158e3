"""An installed dataset's mapped shows, pickled beside it: a worker's start reads, not maps.

Mapping 8,500 items to shows is most of a worker's start (about 1.5 s); reading them back
takes about 0.3 s with the collector held off. The file is calfeed's own, written in the
instance folder beside the version (never beside the pinned package), and used only while
the code that maps (loading.code_key) and romanises (loading.romaji_key) is the code that
wrote it; anything else (another version of calfeed, a damaged or missing file) is mapped
again, slower, never wrongly. A file an attacker could write here could run code, but so
could anyone who can write the instance folder: it holds the settings' databases too.
"""

from __future__ import annotations

import gc
import os
import pickle
from pathlib import Path

from ..schedule.model import Show
from .bangumi import ImportReport
from .datasets import Dataset

CACHE = "import.pickle"


def read(dataset: Dataset, code: str) -> tuple[dict[str, Show], ImportReport] | None:
    """The shows and report kept for `dataset` by this `code`, else None."""
    if dataset.pinned:
        return None
    try:
        blob = (dataset.folder / CACHE).read_bytes()
    except OSError:
        return None
    header, _, body = blob.partition(b"\n")
    if header != code.encode():
        return None
    # The collector walks every new container while 500,000 objects are made: held off, the
    # read takes a third of the time (nothing made here is a cycle to collect).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        shows, report = pickle.loads(body)
    except Exception:       # a damaged file is mapped again; nothing else depends on it
        return None
    finally:
        if was_enabled:
            gc.enable()
    if not isinstance(shows, dict) or not isinstance(report, ImportReport):
        return None
    return shows, report


def write(dataset: Dataset, code: str, shows: dict[str, Show], report: ImportReport) -> None:
    """Keep the mapped import beside `dataset` (never beside the pinned package)."""
    if not dataset.pinned:
        write_to(dataset.folder, code, shows, report)


def write_to(folder: Path, code: str, shows: dict[str, Show], report: ImportReport) -> None:
    """Keep the mapped import in a version's folder (an install writes it before the folder
    is in place); workers writing at once each rename a whole file of their own into place.
    A folder that cannot be written is left as it is."""
    temporary = folder / f".{CACHE}.{os.getpid()}"
    try:
        with open(temporary, "wb") as file:
            file.write(code.encode() + b"\n")
            pickle.dump((shows, report), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / CACHE)
    except OSError:
        temporary.unlink(missing_ok=True)

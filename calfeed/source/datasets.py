"""The dataset folder: installed bangumi-data versions, one folder each, and a pointer to one.

`CALFEED_DATASET_DIR` holds `<version>/` folders, each with the package as npm ships it
(`package/package.json`, `package/dist/data.json`), what calfeed derived from it (`derived.json`)
and the ids it moved (`moved-ids.yaml`), and `meta.json`, written last: a folder without it
is an install that did not finish and is never served. `current` names the version served; it
is replaced whole (write beside, then rename), so every reader sees the old name or the new.
The last KEEP versions stay, for `calfeed dataset use` to roll back to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .bangumi import dataset_version

POINTER = "current"
META = "meta.json"
KEEP = 3
# A version folder is named by the version itself: digits, letters, dots, hyphens, plus.
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?")


class DatasetRefused(ValueError):
    """A dataset that is not served, with what to do about it; the served one stays."""


def version_key(version: str) -> tuple:
    """Semantic-version order: 0.3.10 after 0.3.9; a pre-release before its release."""
    core, _, pre = version.partition("-")
    numbers = tuple(int(part) for part in core.split("+")[0].split(".") if part.isdigit())
    return numbers + ((1,) if not pre else (0, pre))


@dataclass(frozen=True)
class Dataset:
    """One installed dataset: the package folder load_dataset reads, and when it was published."""

    version: str
    root: Path                      # the package folder: package.json, dist/data.json
    published: datetime | None      # the registry's publish time, when known
    pinned: bool = False            # the package shipped with calfeed, not the folder's

    @property
    def folder(self) -> Path:
        """Where calfeed keeps what it derived from this version (the package's parent for
        the folder's versions; nothing is written beside the pinned package)."""
        return self.root.parent


@dataclass(frozen=True)
class Choice:
    """What the pointer says: a version, and whether an operator chose it (`dataset use`),
    which the automatic updates then leave alone."""

    version: str
    chosen: bool = False


class DatasetStore:
    """The folder of installed datasets."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def folder(self, version: str) -> Path:
        if not VERSION.fullmatch(version):
            raise DatasetRefused(f"'{version}' is not a bangumi-data version (such as 0.3.208)")
        return self.directory / version

    def installed(self) -> list[Dataset]:
        """Every complete version in the folder, newest first."""
        found = []
        try:
            entries = list(self.directory.iterdir())
        except OSError:
            return []
        for entry in entries:
            if VERSION.fullmatch(entry.name):
                dataset = self.read(entry.name)
                if dataset is not None:
                    found.append(dataset)
        return sorted(found, key=lambda d: version_key(d.version), reverse=True)

    def read(self, version: str) -> Dataset | None:
        """The installed dataset of this version; None if absent or not finished."""
        folder = self.folder(version)
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            if dataset_version(folder / "package") != version:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not (folder / "package" / "dist" / "data.json").is_file():
            return None
        return Dataset(version, folder / "package", parse_time(meta.get("published")))

    def choice(self) -> Choice | None:
        try:
            text = (self.directory / POINTER).read_text(encoding="utf-8")
            found = json.loads(text)
            return Choice(str(found["version"]), bool(found.get("chosen")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def pointer_state(self) -> tuple:
        """The pointer as seen from outside (one stat): its change is a new dataset to serve."""
        try:
            found = os.stat(self.directory / POINTER)
            return (found.st_mtime_ns, found.st_size, found.st_ino)
        except OSError:
            return ()

    def switch(self, version: str, chosen: bool = False) -> None:
        """Make `version` (installed) the one served: the pointer replaced in one rename."""
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / f".{POINTER}.{os.getpid()}"
        temporary.write_text(json.dumps({"version": version, "chosen": chosen}) + "\n",
                             encoding="utf-8")
        os.replace(temporary, self.directory / POINTER)

    def prune(self, keep: int = KEEP) -> list[str]:
        """Remove all but the newest `keep` versions (never the pointer's) and installs that
        did not finish; the versions removed."""
        current = self.choice()
        kept = [d.version for d in self.installed()][:keep]
        removed = []
        for entry in self.directory.iterdir() if self.directory.is_dir() else ():
            unfinished = entry.name.startswith(".incoming-") and _stale(entry)
            old = VERSION.fullmatch(entry.name) and entry.name not in kept and \
                (current is None or entry.name != current.version)
            if entry.is_dir() and (unfinished or old):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
        return removed


def _stale(entry: Path) -> bool:
    # Another process's install in progress is left alone for an hour.
    try:
        return (datetime.now().timestamp() - entry.stat().st_mtime) > 3600
    except OSError:
        return False


def parse_time(text) -> datetime | None:
    """A registry time ('2026-05-15T06:02:16.679Z'), or None."""
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


def pinned_dataset(root: Path) -> Dataset:
    """The package shipped with calfeed (data/bangumi, or CALFEED_IMPORT_PATH), with its
    publish time when data/bangumi/published.json names that version."""
    version = dataset_version(root)
    return Dataset(version, Path(root), pinned_published(version), pinned=True)


PINNED_TIMES = Path(__file__).resolve().parents[2] / "data" / "bangumi" / "published.json"


def pinned_published(version: str) -> datetime | None:
    try:
        return parse_time(json.loads(PINNED_TIMES.read_text(encoding="utf-8"))[version])
    except (OSError, ValueError, KeyError):
        return None


def to_serve(store: DatasetStore, pinned: Dataset | None) -> Dataset | None:
    """The dataset to serve: the folder's choice if an operator made it, else the newer of the
    pinned package and the folder's current version. Without a pointer, or with one naming a
    version that is not installed whole (removed by hand), the folder's newest complete
    version stands for it (each was loaded whole before it was put there). None when there
    is neither (the pinned package not installed: `pinned` None)."""
    choice = store.choice()
    found = store.read(choice.version) if choice else None
    if found is None:
        found = next(iter(store.installed()), None)
    if found is None or pinned is None:
        return found or pinned
    if choice is not None and choice.chosen and found.version == choice.version:
        return found
    # Equal versions: the folder's, which has what calfeed derived from it kept beside.
    return found if version_key(found.version) >= version_key(pinned.version) else pinned

"""Installing a bangumi-data version: checked, unpacked, loaded whole, compared, then switched.

Every step that can refuse comes before the pointer moves: a version older than the one
served, an archive whose sha512 is not the registry's, one that does not unpack or load, one
that loses many shows. Until `DatasetStore.switch`, the served dataset is untouched; a crash
on the way leaves an unfinished folder that is never served and is removed later.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from ..schedule.model import Show
from .aliases import renamed_ids
from .archive import check_integrity, integrity_of, unpack
from .bangumi import ImportReport, dataset_version, load_dataset
from .datasets import META, Dataset, DatasetRefused, DatasetStore, to_serve, version_key
from . import import_cache
from .loading import (DERIVED, MOVED, code_key, derived, derived_path, import_code, moved_ids,
                      romaji, romaji_key)
from .names import remembered
from .registry import Release
from .report import refresh_changes

LOCK = ".lock"
# The schedules folder's override, in the dataset folder: a dataset that shrinks on purpose.
SHRINK_MARKER = ".calfeed-allow-shrink"


class Busy(RuntimeError):
    """Another process is installing a dataset now."""


@contextmanager
def exclusive(directory: Path, wait: bool = True) -> Iterator[None]:
    """One install at a time on the machine: a lock file in the dataset folder (released by
    the system if the holder dies)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Busy(f"another process is updating {directory}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Installed:
    """What an install did, for the command line and the log."""

    version: str
    previous: str
    changes: list[str] = field(default_factory=list)
    moved: dict[str, tuple[str, str]] = field(default_factory=dict)
    integrity: str = ""

    def summary(self) -> list[str]:
        """`calfeed sources --against`'s lines, and their counts."""
        counts = {kind: sum(1 for line in self.changes if line.startswith(kind))
                  for kind in ("added", "removed", "changed")}
        changed = len({line.split()[1] for line in self.changes if line.startswith("changed")})
        lines = [f"bangumi-data {self.previous} -> {self.version}: {counts['added']} show(s) "
                 f"added, {counts['removed']} removed, {changed} changed, {len(self.moved)} "
                 "id(s) moved (the old ids redirect)"]
        lines += [f"  {line}" for line in self.changes]
        lines += [f"  moved {old} -> {new} ({key})"
                  for old, (key, new) in sorted(self.moved.items())]
        return lines


def install(store: DatasetStore, pinned: Dataset | None, data: bytes, found: Release | None,
            now: datetime, shrink_limit: float, what: str,
            derive: Callable[[dict[str, Show]], dict] | None = None) -> Installed:
    """Install the archive `data` (of `found`, the registry's release; None for an archive
    given by file, which has no published integrity to check) and make it the one served.
    `derive` works out from its shows what workers keep beside it (index/derived.py)."""
    with exclusive(store.directory):
        served = to_serve(store, pinned)
        if found is not None:
            refuse_older(found.version, served)
            check_integrity(data, found.integrity, what)
        incoming = store.directory / f".incoming-{os.getpid()}-{time.time_ns()}"
        try:
            unpack(data, incoming, what)
            version = _version(incoming / "package", what)
            if found is not None and version != found.version:
                raise DatasetRefused(f"{what}: the archive holds {version}, not {found.version}")
            refuse_older(version, served)
            # Nothing served yet (no pinned package, an empty folder): nothing to compare.
            old = load(served, now)[0] if served is not None else {}
            table: dict[str, str] = {}
            new = _load_new(incoming / "package", now, table, what)
            _refuse_shrink(store.directory, len(old), len(new),
                           served.version if served else "", version, shrink_limit)
            moved = renamed_ids(old, new)
            recorded = {o: key for o, key in (moved_ids(served) if served else {}).items()
                        if o not in new}
            recorded.update({o: key for o, (key, _) in moved.items()})
            _write(incoming, MOVED, "".join(f"{o}: {k}\n" for o, k in sorted(recorded.items()))
                   or "{}\n")
            made = {"romaji": table, "romaji_code": romaji_key(), **(derive(new) if derive else {})}
            _write(incoming, DERIVED, json.dumps(made, ensure_ascii=False))
            integrity = found.integrity if found is not None else integrity_of(data)
            _write(incoming, META, json.dumps({
                "version": version, "integrity": integrity,
                "published": found.published.isoformat() if found and found.published else None,
                "installed": now.astimezone(timezone.utc).isoformat(),
                "source": found.tarball if found is not None else what}))
            _put_in_place(incoming, store.folder(version))
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        store.switch(version)
        store.prune()
        return Installed(version, served.version if served else "nothing",
                         refresh_changes(old, new), moved, integrity)


def refuse_older(version: str, served: Dataset | None) -> None:
    """Refuse a version older than the one served (or the same: nothing to do)."""
    if served is None:
        return
    if version_key(version) < version_key(served.version):
        raise DatasetRefused(
            f"bangumi-data {version} is older than the {served.version} served: an update "
            f"never goes back; to roll back on purpose, run 'calfeed dataset use {version}' "
            "(one of 'calfeed dataset list')")
    if version == served.version:
        raise AlreadyServed(f"bangumi-data {version} is served already; nothing to do")


class AlreadyServed(DatasetRefused):
    """The version asked for is the one served."""


def _version(root: Path, what: str) -> str:
    try:
        manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
        name, version = manifest["name"], manifest["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetRefused(f"{what}: package/package.json cannot be read ({exc})") from None
    if name != "bangumi-data":
        raise DatasetRefused(f"{what}: the archive is the package {name!r}, not bangumi-data")
    return str(version)


def load(dataset: Dataset, now: datetime) -> tuple[dict[str, Show], ImportReport]:
    """A dataset's shows and report, through the romaji kept beside it."""
    with remembered(romaji(derived(dataset))):
        return load_dataset(dataset.root, now)


def _load_new(root: Path, now: datetime, table: dict, what: str) -> dict[str, Show]:
    """Every item through the import's rules, as a worker will: a dataset that does not load
    here is refused before any worker sees it. The mapped import is kept beside the package
    (import_cache), so that workers swapping to it read it rather than map it again."""
    try:
        with remembered(table):
            shows, report = load_dataset(root, now)
    except Exception as exc:   # any failure of the import is a refusal of this dataset
        raise DatasetRefused(f"{what}: bangumi-data {dataset_version(root)} does not load: "
                             f"{type(exc).__name__}: {exc}") from None
    if not shows:
        raise DatasetRefused(f"{what}: bangumi-data {report.version} imports no show")
    import_cache.write_to(root.parent, import_code(), shows, report)
    return shows


def _refuse_shrink(directory: Path, before: int, after: int, old: str, new: str,
                   limit: float) -> None:
    if before and after < before * limit and not (directory / SHRINK_MARKER).exists():
        raise DatasetRefused(
            f"bangumi-data {new} imports {after} show(s) where {old} served {before}: a "
            f"dataset that shrinks below {limit:.0%} is held back as a fault; to serve it, "
            f"create {SHRINK_MARKER} in {directory} (and remove it after)")


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def _put_in_place(incoming: Path, final: Path) -> None:
    """The finished folder under its version's name (a version installed again replaces it)."""
    if final.exists():
        aside = final.with_name(f".incoming-old-{os.getpid()}-{time.time_ns()}")
        os.rename(final, aside)
        shutil.rmtree(aside, ignore_errors=True)
    os.rename(incoming, final)


def refresh_derived(store: DatasetStore, dataset: Dataset, now: datetime,
                    derive: Callable[[dict[str, Show]], dict]) -> bool:
    """Work out again what is kept beside an installed version when another version of calfeed
    made it (a deploy since): otherwise every start would work it out until the next version
    is published. Whether anything was made again."""
    if dataset.pinned:
        return False
    with exclusive(store.directory):
        installed = derived(dataset)
        if installed.get("code") == code_key() and installed.get("romaji_code") == romaji_key():
            return False
        table = romaji(installed)
        with remembered(table):
            shows, report = load_dataset(dataset.root, now)
        import_cache.write(dataset, import_code(), shows, report)
        _keep({"romaji": table, "romaji_code": romaji_key(), **derive(shows)}, dataset)
        return True


def prepare_pinned(pinned: Dataset, now: datetime,
                   derive: Callable[[dict[str, Show]], dict], reader: str) -> bool:
    """Work out what is kept beside the pinned package, as an install does for the folder's
    versions, unless this code already did: a machine's first start then reads its titles'
    readings rather than having pykakasi read 8,400 titles. `reader` names the reader of
    titles `derive` uses (kept as "reader"). Whether anything was made."""
    kept = derived(pinned)
    if kept.get("code") == code_key() and kept.get("reader") == reader:
        return False
    shows, _report = load_dataset(pinned.root, now)
    _keep({"version": pinned.version, **derive(shows)}, pinned)
    return True


def _keep(made: dict, dataset: Dataset) -> None:
    path = derived_path(dataset)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(made, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def use(store: DatasetStore, version: str) -> Dataset:
    """Serve an installed version on purpose (a roll back): the automatic updates then leave
    it until `calfeed dataset update` is run by hand."""
    with exclusive(store.directory):
        found = store.read(version)
        if found is None:
            have = ", ".join(d.version for d in store.installed()) or "none"
            raise DatasetRefused(f"bangumi-data {version} is not installed in "
                                 f"{store.directory} (installed: {have})")
        store.switch(version, chosen=True)
        return found


"""`calfeed dataset`: install bangumi-data versions from the npm registry, list them, roll back."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from .config import dataset_dir, load_config
from .source.datasets import Dataset, DatasetRefused, DatasetStore, pinned_dataset, to_serve


def store_and_pinned() -> tuple[DatasetStore, Dataset | None]:
    """The dataset folder and the pinned package (None when it is not installed), as the
    settings name them."""
    from .source.bangumi import DATASET
    config = load_config()
    root = Path(config["IMPORT_PATH"] or DATASET)
    pinned = pinned_dataset(root) if (root / "package.json").is_file() else None
    return DatasetStore(dataset_dir(config)), pinned


def resolve(name: str, store: DatasetStore, pinned: Dataset | None) -> Dataset:
    """A dataset named by a package folder, or by a version in the folder (or pinned)."""
    path = Path(name)
    if (path / "package.json").is_file():
        return pinned_dataset(path)
    try:
        found = store.read(name)
    except DatasetRefused as exc:
        raise click.BadParameter(f"{exc}, nor a package folder") from None
    if found is not None:
        return found
    if pinned is not None and name == pinned.version:
        return pinned
    have = ", ".join(d.version for d in store.installed()) or "none"
    raise click.BadParameter(f"'{name}' is neither a bangumi-data package folder nor an "
                             f"installed version (installed: {have}; pinned: "
                             f"{pinned.version if pinned else 'not installed'})")


@click.group(help="The imported catalogue's versions (bangumi-data): update from the npm "
                  "registry, list, roll back. Running servers take the new one by themselves.")
def dataset() -> None:
    pass


@dataset.command(help="Install bangumi-data from the registry npm is configured for (the "
                      "newest version unless --version), or from an archive (npm pack "
                      "bangumi-data@VERSION), and serve it once it loads whole.")
@click.option("--version", "wanted", help="The version to install (default: the newest).")
@click.option("--from", "archive", type=click.Path(path_type=Path, exists=True,
                                                   dir_okay=False),
              help="A package archive (.tgz) for a machine without registry access.")
def update(wanted: str | None, archive: Path | None) -> None:
    from .index.derived import derive
    from .source import registry
    from .source.install import AlreadyServed, Busy, install, refresh_derived, refuse_older
    store, pinned = store_and_pinned()
    shrink = float(load_config()["SHRINK_LIMIT"])
    now = datetime.now(timezone.utc)
    try:
        if archive is not None:
            data, found, what = archive.read_bytes(), None, str(archive)
            if wanted:
                # With registry access the archive is checked against the published integrity.
                found = registry.release(wanted)
        else:
            found = registry.release(wanted)
            # Before the download: a check finding the served version costs one document.
            refuse_older(found.version, to_serve(store, pinned))
            click.echo(f"bangumi-data {found.version} from {found.tarball}")
            data, what = registry.archive(found), found.tarball
        done = install(store, pinned, data, found, now, shrink, what, derive)
    except AlreadyServed as exc:
        click.echo(str(exc))
        # What is kept beside it was made by another calfeed (a deploy since): made again.
        served = to_serve(store, pinned)
        if served is not None and refresh_derived(store, served, now, derive):
            click.echo(f"what is kept beside bangumi-data {served.version} made again for "
                       "this version of calfeed")
        return
    except (DatasetRefused, registry.RegistryError, Busy) as exc:
        raise click.ClickException(f"{exc}\nthe data served is unchanged") from None
    for line in done.summary():
        click.echo(line)
    click.echo(f"now serving bangumi-data {done.version} from {store.directory} "
               f"(integrity {done.integrity[:30]}…); running servers take it within their "
               "reload interval")


@dataset.command(help="Serve an installed VERSION again (a roll back on purpose); the "
                      "automatic updates leave it until 'calfeed dataset update' is run.")
@click.argument("version")
def use(version: str) -> None:
    from .source.install import use as use_version
    store, _ = store_and_pinned()
    try:
        found = use_version(store, version)
    except DatasetRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"now serving bangumi-data {found.version} from {store.directory}")


@dataset.command(name="list", help="The installed versions, the pinned package, and which is "
                                   "served.")
def list_() -> None:
    store, pinned = store_and_pinned()
    served = to_serve(store, pinned)
    choice = store.choice()
    for found in [*store.installed(), *([pinned] if pinned else [])]:
        mark = "*" if served is not None and found.root == served.root else " "
        published = found.published.date().isoformat() if found.published else "unknown date"
        where = "pinned package" if found.pinned else str(found.folder)
        held = " (chosen by 'dataset use')" if mark == "*" and choice and choice.chosen \
            and not found.pinned else ""
        click.echo(f"{mark} {found.version}  published {published}  {where}{held}")


@dataset.command(help="Work out what is kept beside the pinned package (its titles' readings, "
                      "first airings and revision fingerprints), so that a machine's first "
                      "start reads them rather than working them out; `make run` does it.")
def prepare() -> None:
    from .index.derived import derive
    from .index.title_keys import reader_version
    from .source.install import prepare_pinned
    from .source.loading import derived_path
    _store, pinned = store_and_pinned()
    if pinned is None:
        raise click.ClickException("the pinned package is not installed: run "
                                   "'npm ci --prefix data/bangumi' (or 'make run') first")
    if prepare_pinned(pinned, datetime.now(timezone.utc), derive, reader_version()):
        click.echo(f"kept {derived_path(pinned)}")
    else:
        click.echo(f"{derived_path(pinned)} is current")

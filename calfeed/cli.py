"""The `calfeed` command: check, show, export, synth, sources, calendars (backup, reclaim),
dataset (update, use, list)."""

from __future__ import annotations

import re
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask

from .calendars_cli import calendars
from .publish.catalogue import load_catalogue
from .config import BUNDLED_SCHEDULES, SettingError, load_config
from .dataset_command import dataset, resolve, store_and_pinned
from .errors import CatalogueError
from .schedule.expand import releases_in
from .schedule.show_file import read_one_file
from .query import values as parse
from .query.parameter_error import ParameterError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
COPY_SECONDS = 600


def _default_schedules() -> Path:
    return Path(load_config()["SCHEDULES_DIR"])


@click.group(help="calfeed: anime release schedules as calendar feeds.")
def cli() -> None:
    try:
        load_config()       # a CALFEED_ setting that is not usable, said before any work
    except SettingError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command(help="Validate every schedule in DIR, or the one schedule FILE (default: "
                  "CALFEED_SCHEDULES_DIR or the bundled schedules/) and report every problem "
                  "at once.")
@click.argument("directory", required=False, metavar="[DIR|FILE]",
                type=click.Path(path_type=Path))
def check(directory: Path | None) -> None:
    directory = directory if directory is not None else _default_schedules()
    try:
        if directory.is_file():
            # Checked exactly as it would load in its folder, without the folder's other files.
            catalogue = load_catalogue(directory.parent, read_one_file(directory))
        else:
            catalogue = load_catalogue(directory)
    except CatalogueError as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        files = len({e.path for e in exc.errors})
        click.echo(f"{len(exc.errors)} problem(s) in {files} file(s): fix them and run "
                   f"'calfeed check' again", err=True)
        sys.exit(1)
    releases = sum(len(s.releases) for s in catalogue.shows.values())
    airings = sum(len(a) for a in catalogue.airings.values())
    click.echo(f"ok: {len(catalogue.shows)} show(s), {releases} release(s), {airings} airing(s) "
               f"in {directory}")


@cli.command(help="Print the airings of SHOW as a table, in a region's releases and a zone.")
@click.argument("show_id", metavar="SHOW")
@click.option("--region", help="ISO 3166-1 code: only releases watchable there.")
@click.option("--tz", "zone_name", help="IANA zone for local times (default: the region's "
                                        "zone, where most of its people live, else UTC).")
@click.option("--lang", default="en", show_default=True, help="Language of episode titles.")
@click.option("--schedules", type=click.Path(path_type=Path),
              help="Folder of schedules (default: CALFEED_SCHEDULES_DIR or bundled).")
def show(show_id: str, region: str | None, zone_name: str | None, lang: str,
         schedules: Path | None) -> None:
    try:
        catalogue = load_catalogue(schedules or _default_schedules())
    except CatalogueError as exc:
        raise click.ClickException(f"the schedules do not load:\n{exc}") from None
    # The web's parsers, so the rules (any case, the zone's default, English) are the same.
    try:
        show_id = parse.show_id(show_id, catalogue)
        the_show = catalogue.shows[show_id]
        place = parse.region(region) if region else None
        zone = parse.zone(zone_name, place)
        lang = parse.lang(lang, the_show.languages, "these titles")
    except ParameterError as exc:
        raise click.ClickException(exc.message) from None
    releases = {r.id for r in (releases_in(the_show, place.code) if place else the_show.releases)}
    if not releases:
        raise click.ClickException(f"{the_show.name()} has no release in {place.name}; it can "
                                   f"be watched in {len(the_show.regions)} other countries")
    # An episode known by its date has no number; an airing whose day alone is known has no
    # time, and is not given one.
    rows = [("-" if a.episode.aired else str(a.episode.number), a.episode.title(lang) or "",
             a.release.name,
             a.start.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z") if a.time_known
             else a.day.strftime("%a %Y-%m-%d, time not announced"))
            for a in catalogue.airings[show_id] if a.release.id in releases]
    where = f" in {place.name}" if place else ""
    click.echo(f"{the_show.name(lang)}{where}, times in {zone.key}")
    _print_table(("Ep", "Title", "Release", "Starts"), rows)


@cli.command(help="Write the whole site (feeds, JSON, pages) as static files under DIR, for any "
                  "static host or CDN. DIR becomes a link to a complete new build, swapped in "
                  "at once.")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--base-url", required=True,
              help="Public address of the site, used in feed URLs and subscribe links, such "
                   "as https://calfeed.example.org (required: a wrong one would be baked "
                   "into every exported file).")
@click.option("--regions", help="Only these regions' feeds, comma-separated (default: all).")
def export(directory: Path, base_url: str, regions: str | None) -> None:
    from . import create_app
    from .web import state
    from .web.export import ExportError, export_site
    from .web.public_url import PublicURLError, parse_public_url
    try:
        parse_public_url(base_url, "--base-url")
    except PublicURLError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        # The export's address is the app's public address (over any CALFEED_PUBLIC_URL).
        app = create_app({"PUBLIC_URL": base_url})
    except CatalogueError as exc:
        raise click.ClickException(f"the schedules do not load:\n{exc}") from None
    wanted = [r.strip() for r in regions.split(",")] if regions else None
    for code in wanted or ():
        try:
            parse.region(code)
        except ParameterError as exc:
            raise click.ClickException(exc.message) from None

    def progress(paths):
        with click.progressbar(paths, label="Exporting", file=sys.stderr) as bar:
            yield from bar
    with app.app_context():
        try:
            count = export_site(app, state.current(), directory, base_url=base_url,
                                regions=wanted, progress=progress)
        except (ExportError, OSError) as exc:
            raise click.ClickException(f"export to {directory} failed: {exc}") from None
    click.echo(f"exported {count} files to {directory} ({directory.resolve()})")


@cli.command(help="Write N synthetic schedules into DIR, for scale tests and benchmarks.")
@click.argument("count", type=click.IntRange(1, 100_000))
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--seed", default=1, show_default=True, help="The same seed writes the same files.")
@click.option("--long-runners", default=0, show_default=True, type=click.IntRange(0, 100_000),
              help="How many of them are long runners (1,000 episodes or more).")
def synth(count: int, directory: Path, seed: int, long_runners: int) -> None:
    from .schedule.synthetic import write_synthetic
    written = write_synthetic(count, directory, seed, long_runners)
    click.echo(f"wrote {len(written)} synthetic schedules to {directory}")


@cli.command(help="Report on the imported bangumi-data (the version served, or --dataset): "
                  "imported, skipped (counted reasons), inferred times, disagreements with "
                  "curated files; with --against OLD, what refreshing from OLD would change.")
@click.option("--schedules", type=click.Path(path_type=Path),
              help="Curated schedules to compare (default: CALFEED_SCHEDULES_DIR or bundled).")
@click.option("--dataset", "newer", metavar="VERSION|FOLDER",
              help="The dataset to report on: a version in CALFEED_DATASET_DIR, the pinned "
                   "version, or a bangumi-data package folder (default: the one served).")
@click.option("--against", metavar="VERSION|FOLDER",
              help="An older dataset, named the same ways.")
def sources(schedules: Path | None, newer: str | None, against: str | None) -> None:
    from .source.aliases import ALIASES_FILE, renamed_ids
    from .source.datasets import to_serve
    from .source.install import load
    from .source.report import disagreements, refresh_changes, summary_lines

    store, pinned = store_and_pinned()
    now = datetime.now(timezone.utc)
    chosen = resolve(newer, store, pinned) if newer else to_serve(store, pinned)
    if chosen is None:
        raise click.ClickException("no bangumi-data is installed: run 'npm ci --prefix "
                                   "data/bangumi' or 'calfeed dataset update'")
    imported, report = load(chosen, now)
    for line in summary_lines(report):
        click.echo(line)
    try:
        curated = load_catalogue(schedules or _default_schedules()).shows
    except CatalogueError as exc:
        raise click.ClickException(f"the curated schedules do not load: {exc}") from None
    click.echo("disagreements between curated files and bangumi-data:")
    for line in disagreements(curated, imported) or ["  none"]:
        click.echo(f"  {line}")
    if against:
        old, old_report = load(resolve(against, store, pinned), now)
        click.echo(f"refresh from bangumi-data {old_report.version} to {report.version}:")
        for line in refresh_changes(old, imported) or ["  no change"]:
            click.echo(f"  {line}")
        # Served ids that the refresh changes. `calfeed dataset update` records them itself
        # beside the dataset; these lines are for the reviewed table.
        click.echo(f"ids that change (redirected by calfeed once installed with 'calfeed "
                   f"dataset update'; add these lines to {ALIASES_FILE.name} to keep them "
                   "reviewed):")
        renamed = renamed_ids(old, imported)
        for old_id, (key, new_id) in sorted(renamed.items()):
            click.echo(f"  {old_id}: {key}   # now {new_id}")
        if not renamed:
            click.echo("  none")


@cli.group(help="The PostgreSQL database several instances share (CALFEED_DATABASE_URL).")
def db() -> None:
    pass


@db.command("copy", help="Copy this installation's SQLite state (revisions and personal "
                         "calendars) into the PostgreSQL database at URL, so that it can be "
                         "served from there: every feed keeps its bytes, every calendar's "
                         "secret links keep working. A database that holds calendars or "
                         "revisions already is refused unless --force.")
@click.option("--to", "url", required=True, metavar="URL",
              help="postgresql://user:password@host:port/database")
@click.option("--state", type=click.Path(path_type=Path),
              help="The revisions file (default: CALFEED_STATE_PATH or instance/state.sqlite3).")
@click.option("--calendars", type=click.Path(path_type=Path),
              help="The calendars file (default: CALFEED_CALENDARS_PATH or "
                   "instance/calendars.sqlite3).")
@click.option("--force", is_flag=True, help="Replace what the database holds.")
def copy(url: str, state: Path | None, calendars: Path | None, force: bool) -> None:
    from .copy_state import CopyRefused, copy_to
    from .database import Database, DatabaseFault

    config = load_config()
    instance = BUNDLED_SCHEDULES.parent / "instance"
    state = state or Path(config["STATE_PATH"] or instance / "state.sqlite3")
    calendars = calendars or Path(config["CALENDARS_PATH"] or instance / "calendars.sqlite3")
    try:
        # A copy of many calendars takes longer than a request's statement may.
        database = Database(url, connect_timeout=config["DATABASE_CONNECT_TIMEOUT_SECONDS"],
                            statement_timeout=COPY_SECONDS)
    except ValueError as exc:
        raise click.BadParameter(str(exc).replace("CALFEED_DATABASE_URL", "--to")) from None
    try:
        copied = copy_to(database, str(state), str(calendars), force=force)
    except (CopyRefused, DatabaseFault) as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"could not read {state} or {calendars}: {exc}") from None
    finally:
        database.close()
    for path in copied.missing:
        click.echo(f"{path}: not found, nothing copied from it", err=True)
    counts = ", ".join(f"{rows} {table}" for table, rows in copied.rows.items())
    click.echo(f"copied into {database.shown}: {counts}")
    click.echo("set CALFEED_DATABASE_URL to it on every instance, then restart them")


cli.add_command(dataset)


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    # Titles may hold line breaks and tabs; one airing stays on one line of the table.
    rows = [tuple(_CONTROL.sub(lambda m: repr(m.group())[1:-1], cell) for cell in row)
            for row in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


cli.add_command(calendars)


def init_app(app: Flask) -> None:
    """Offer the same commands through `flask --app calfeed`, as Flask's tutorial app does."""
    app.cli.add_command(check)
    app.cli.add_command(show)


if __name__ == "__main__":
    cli()

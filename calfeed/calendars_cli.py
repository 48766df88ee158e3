"""`calfeed calendars`: back up the personal calendars while the service runs, reclaim old rows."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click

from .config import load_config

# Where the app keeps them without CALFEED_CALENDARS_PATH: its instance folder, as Flask names
# it for the calfeed package.
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "instance" / "calendars.sqlite3"


def _store():
    from .database import open_database
    from .calendars.rules import Limits
    from .calendars.store import CalendarStore
    from .calendars.pg_store import PgCalendarStore
    config = load_config()
    database = open_database(config)
    if database is not None:        # the service's calendars are there, not in a file
        return PgCalendarStore(database, Limits(max_total_bytes=config["CALENDARS_MAX_BYTES"]))
    path = config["CALENDARS_PATH"] or str(DEFAULT_PATH)
    if not os.path.exists(path):
        raise click.ClickException(f"no calendars file at {path}: set CALFEED_CALENDARS_PATH "
                                   "to the file the service uses")
    return CalendarStore(path, Limits(max_total_bytes=config["CALENDARS_MAX_BYTES"]))


@click.group(help="The personal calendars' file (CALFEED_CALENDARS_PATH), or their database "
                  "(CALFEED_DATABASE_URL).")
def calendars() -> None:
    pass


@calendars.command(help="Copy every calendar into FILE with SQLite's online backup, while the "
                        "service runs: FILE is a whole database, ready to put in place.")
@click.argument("target", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
def backup(target: Path) -> None:
    from .calendars.faults import Unavailable
    store = _store()
    try:
        count = store.backup(str(target))
    except Unavailable as exc:
        raise click.ClickException(f"{store.path}: {store.problem() or exc.message}") from None
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"cannot write {target}: "
                                   f"{getattr(exc, 'strerror', None) or exc}") from None
    finally:
        store.close()       # a database's pool, stopped before the command ends
    click.echo(f"{count} calendar(s) copied to {target} ({target.stat().st_size:,} bytes)")


@calendars.command(help="Drop deleted calendars' rows past their 410 period and calendars left "
                        "without a show, and give their space back; print the space used.")
def reclaim() -> None:
    from .calendars.faults import Unavailable
    store = _store()
    try:
        dropped = store.reclaim()
        used = store.disk_use()
    except Unavailable as exc:
        raise click.ClickException(f"{store.path}: {store.problem() or exc.message}") from None
    finally:
        store.close()
    click.echo(f"{dropped} calendar row(s) reclaimed; {used:,} bytes used of "
               f"CALFEED_CALENDARS_MAX_BYTES={store.limits.max_total_bytes:,}")

"""The app's hold on what it serves: published at start, replaced whole on reload."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, current_app

from .published import Published, publish
from .revisions import RevisionStore

EXTENSION = "calfeed.published"


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def init_app(app: Flask) -> None:
    """Publish the schedules now, so invalid data stops the app before it serves anything."""
    if not app.config.get("STATE_PATH"):
        app.config["STATE_PATH"] = os.path.join(app.instance_path, "state.sqlite3")
    app.config.setdefault("CLOCK", system_clock)
    reload(app)


def reload(app: Flask) -> Published:
    """Load the schedules again and swap them in whole; raises CatalogError and keeps the old."""
    published = publish(Path(app.config["SCHEDULES_DIR"]),
                        RevisionStore(app.config["STATE_PATH"]), app.config["CLOCK"]())
    app.extensions[EXTENSION] = published
    return published


def current() -> Published:
    return current_app.extensions[EXTENSION]


def now() -> datetime:
    return current_app.config["CLOCK"]()

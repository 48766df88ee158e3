"""The app's hold on the current catalog: loaded at start, read by every request."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .catalog import Catalog, load_catalog

EXTENSION = "calfeed.catalog"


def init_app(app: Flask) -> None:
    """Load the schedules now, so that invalid data stops the app before it serves anything."""
    app.extensions[EXTENSION] = load_catalog(Path(app.config["SCHEDULES_DIR"]))


def current_catalog() -> Catalog:
    return current_app.extensions[EXTENSION]

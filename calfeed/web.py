"""HTTP views: the routes, their parameters and responses; the only layer that speaks HTTP."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from .state import current_catalog

views = Blueprint("calfeed", __name__)


@views.get("/")
def index():
    catalog = current_catalog()
    return render_template("index.html", shows=catalog.shows.values())


def init_app(app: Flask) -> None:
    app.register_blueprint(views)

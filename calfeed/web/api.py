"""The JSON API, /api/v1: regions, shows, one show's airings, a schedule window, its OpenAPI."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, current_app, request, url_for

from . import state
from .openapi import openapi_document
from .params import single_values
from ..schedule.regions import countries
from .responses import cacheable
from ..render.schedule_json import airing_entry, region_entry, schedule, show_entry
from .schedule_query import SHOW_PARAMETERS, parse_lang, parse_schedule_query, parse_zone

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.get("/regions")
def regions():
    def make():
        catalog = state.current().catalog
        return {"regions": [region_entry(c, [s.id for s in catalog.shows_in(code)])
                            for code, c in sorted(countries().items())]}
    return _json(make, parameters=())


@api.get("/shows")
def shows():
    def make():
        return {"shows": [show_entry(s, _feed_url) for s in state.current().catalog.shows.values()]}
    return _json(make, parameters=())


@api.get("/shows/<show_id>")
def show(show_id: str):
    published = state.current()
    found = published.catalog.show(show_id)
    values = single_values(request.args.lists(), SHOW_PARAMETERS)
    zone = parse_zone(values["tz"], None) if "tz" in values else None
    lang = parse_lang(values.get("lang"), dict(published.catalog.shows))

    def make():
        return {"show": show_entry(found, _feed_url),
                "airings": [airing_entry(a, zone, lang, None)
                            for a in published.catalog.airings[show_id]]}
    return _json(make, parameters=SHOW_PARAMETERS, validated=True)


@api.get("/schedule")
def schedule_window():
    published = state.current()
    query = parse_schedule_query(request.args.lists(), dict(published.catalog.shows))
    return _json(lambda: schedule(published, query, _feed_url), parameters=None, validated=True)


@api.get("/openapi.json")
def openapi():
    catalog = state.current().catalog
    return _json(lambda: openapi_document(current_app, catalog), parameters=())


def _feed_url(region: str, show_id: str) -> str:
    return url_for("calfeed.show_calendar", region_code=region, show_id=show_id, _external=True)


def _json(make, *, parameters: tuple[str, ...] | None, validated: bool = False) -> Response:
    """A JSON body made once per data version, host and query; strict about parameters."""
    if not validated and parameters is not None:
        single_values(request.args.lists(), parameters)
    published = state.current()
    query = tuple((name, tuple(values)) for name, values in sorted(request.args.lists()))
    key = ("json", request.path, request.host_url, query)
    body = published.memo(key, lambda: _dumps(make()))
    return cacheable(body, "application/json",
                     max_age=current_app.config["API_MAX_AGE_SECONDS"],
                     last_modified=published.changed_at)


def _dumps(document: dict) -> bytes:
    # Insertion order, not sorted keys: renderers fix the order; the same data, the same bytes.
    return json.dumps(document, ensure_ascii=False, sort_keys=False).encode() + b"\n"


def init_app(app: Flask) -> None:
    app.register_blueprint(api)

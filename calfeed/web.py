"""HTTP views: routes, their parameters and responses; the only layer that speaks HTTP."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, Response, current_app, render_template, request

from . import state
from .feeds import Feed, FeedSettings, languages, region_feed, show_feed
from .params import FEED_PARAMETERS, parse_feed_query, single_values
from .regions import country
from .responses import cacheable

views = Blueprint("calfeed", __name__)


@views.get("/")
def index():
    return render_template("index.html", shows=state.current().catalog.shows.values())


@views.get("/feeds/<region_code>.ics")
def region_calendar(region_code: str):
    region = country(region_code)
    published = state.current()
    shows = tuple(s for s in published.catalog.shows.values() if region.code in s.regions)
    query = _feed_query(shows, region.display_zone)
    return _calendar_response(region_feed(published, region, query, now=state.now(),
                                          url=request.url, settings=_settings()))


@views.get("/feeds/<region_code>/<show_id>.ics")
def show_calendar(region_code: str, show_id: str):
    region = country(region_code)
    published = state.current()
    show = published.catalog.shows.get(show_id)
    query = _feed_query((show,) if show else (), region.display_zone)
    return _calendar_response(show_feed(published, region, show_id, query, now=state.now(),
                                        url=request.url, settings=_settings()))


def _feed_query(shows, default_zone):
    values = single_values(request.args.lists(), FEED_PARAMETERS)
    return parse_feed_query(values, languages=languages(shows), default_zone=default_zone)


def _settings() -> FeedSettings:
    return FeedSettings(refresh=timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"]),
                        max_bytes=current_app.config["FEED_MAX_BYTES"])


def _calendar_response(feed: Feed) -> Response:
    response = cacheable(feed.body, "text/calendar; charset=utf-8",
                         max_age=current_app.config["FEED_REFRESH_MINUTES"] * 60,
                         last_modified=feed.last_modified)
    response.headers["Content-Disposition"] = f'inline; filename="{feed.filename}"'
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(views)

"""HTTP views: routes, their parameters and responses; the only layer that speaks HTTP."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Blueprint, Flask, Response, current_app, render_template, request

from . import state
from .feeds import Feed, FeedNotFound, FeedSettings, languages, region_feed, show_feed
from .fields import advise
from .params import FEED_PARAMETERS, ParameterError, parse_feed_query, single_values
from .regions import UnknownRegion, country

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
    response = Response(feed.body, content_type="text/calendar; charset=utf-8")
    # A strong validator of the exact bytes: clients that send If-None-Match get a 304.
    response.set_etag(hashlib.sha256(feed.body).hexdigest()[:32])
    response.last_modified = feed.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["FEED_REFRESH_MINUTES"] * 60
    response.headers["Content-Disposition"] = f'inline; filename="{feed.filename}"'
    return response.make_conditional(request)


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@views.app_errorhandler(UnknownRegion)
def _unknown_region(error: UnknownRegion):
    return _plain(404, advise(str(error), "use an ISO 3166-1 alpha-2 code such as us or jp"))


@views.app_errorhandler(FeedNotFound)
def _feed_not_found(error: FeedNotFound):
    return _plain(404, error.message)


@views.app_errorhandler(ParameterError)
def _bad_parameter(error: ParameterError):
    return _plain(400, error.message)


@views.app_errorhandler(500)
def _server_error(error):
    # Never an empty 200: Thunderbird deletes every event of a feed that answers one.
    return _plain(500, "calfeed could not build this response; please try again later")


def init_app(app: Flask) -> None:
    app.register_blueprint(views)

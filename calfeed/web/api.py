"""The JSON API, /api/v1: regions, shows, one show's airings, a schedule window, its OpenAPI."""

from __future__ import annotations

import json
from collections import Counter

from flask import Blueprint, Flask, Response, current_app, request, url_for

from . import state
from .openapi import openapi_document
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..query.shows_page import (DEFAULT_LIMIT, MAX_LIMIT, SHOWS, page_of,
                                parse_shows_page)
from ..query.values import check_releases
from ..render.page_values import search_results
from ..index.search import MAX_QUERY
from ..query.schedule import (SCHEDULE, SEARCH, SHOW, title_lang, parse_schedule_query,
                              show_zone)
from ..schedule.regions import countries
from .catalogue_views import catalogue_indexes
from .params import Values, moved_to, moved_values, takes, todays_show
from .responses import cacheable
from ..render.schedule_json import (airing_entry, feed_urls, region_entry, schedule,
                                    search_entry, show_entry, with_attribution)

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.get("/regions")
@takes()
def regions(args: Values):
    def make():
        # One pass over the shows: asking shows_in of each of 249 regions took 1.8 s.
        counts = Counter(code for show in state.current().catalogue.shows.values()
                         for code in show.regions)
        return {"regions": [region_entry(c, counts[code], _region_url(code))
                            for code, c in sorted(countries().items())]}
    return _json(make)


@api.get("/regions/<region_code>")
@takes()
def region(region_code: str, args: Values):
    place = parse.region(region_code)
    if region_code != place.code.lower():
        moved_to(url_for(".region", region_code=place.code.lower()))

    def make():
        shows = state.current().catalogue.shows_in(place.code)
        return {**region_entry(place, len(shows), _region_url(place.code)),
                "shows": sorted(s.id for s in shows)}
    return _json(make)


@api.get("/shows")
@takes(declaration=SHOWS)
def shows(args: Values):
    published = state.current()
    page = parse_shows_page(args)
    ids = published.beside("show-ids", lambda: sorted(published.catalogue.shows))
    chosen, last = page_of(ids, page)
    following = None if last is None else url_for(
        ".shows", **({"limit": page.limit} if "limit" in args else {}), after=last,
        _external=True)

    def make():
        shows = [published.catalogue.shows[show_id] for show_id in chosen]
        return with_attribution({"total": len(ids), "shows": [show_entry(s, _feed_url)
                                                               for s in shows],
                                 "next": following}, shows)
    response = _json(make)
    if following is not None:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@api.get("/shows/<show_id>")
@takes(declaration=SHOW)
def show(show_id: str, args: Values):
    published = state.current()
    found = todays_show(published.catalogue, show_id)
    region = parse.region(args.get("region")).code if "region" in args else None
    zone = show_zone(args)
    lang = title_lang(args.get("lang"), published.catalogue.shows)

    def make():
        airings = published.catalogue.airings[show_id]
        feeds = feed_urls(airings, region, _feed_url)
        return with_attribution({"show": show_entry(found, _feed_url),
                                 "airings": [airing_entry(a, zone, lang, feed)
                                             for a, feed in zip(airings, feeds, strict=True)]},
                                (found,))
    return _json(make)


@api.get("/schedule")
@takes(declaration=SCHEDULE)
def schedule_window(args: Values):
    published = state.current()
    asked = request.args.getlist("show")
    # A show's old id or stable key redirects, as the show routes do; its id in another case
    # is read as it is (query values are case-insensitive here, where paths redirect).
    today = [found if (found := published.catalogue.current_id(show_id)) and
             found != show_id.lower() else show_id for show_id in asked]
    if today != asked:
        moved_values(url_for(".schedule_window"), "show", today)
    query = parse_schedule_query(args, published.catalogue, state.now())
    return _json(lambda: schedule(published, query, _feed_url), window=(query.start, query.end))


@api.get("/search")
@takes(declaration=SEARCH)
def search(args: Values):
    """The shows matching a query, best first: the same index and order as /search."""
    published = state.current()
    text = args.get("q")
    if text is None:
        raise ParameterError("q", "give q, the text to find in a show's titles "
                                  "(/api/v1/search?q=frieren)")
    if len(text) > MAX_QUERY:
        raise ParameterError("q", f"q is {len(text)} characters long: give at most "
                                  f"{MAX_QUERY}, a part of a title is enough")
    region = parse.region(args.get("region")) if "region" in args else None
    release = args.get("release")
    if release is not None:
        if region is None:
            raise ParameterError("release", "release needs a region: the platforms differ "
                                            "by region (add region=us, for one)")
        check_releases(frozenset({release}), tuple(published.catalogue.shows_in(region.code)),
                       region)
    limit = (parse.whole_number(args.get("limit"), "limit", 1, MAX_LIMIT)
             if "limit" in args else DEFAULT_LIMIT)

    def make():
        found = catalogue_indexes(published)
        hits = found.search.get().search(text)
        seasons = found.seasons.get()
        if region is None:
            listed = [(hit.show, None, ()) for hit in hits[:limit]]
            total = len(hits)
        else:
            results, total = search_results(hits, region, release, seasons, limit)
            listed = [(r.show, r.watchable, r.releases_here) for r in results]
        shows = [show for show, _watchable, _releases in listed]
        return with_attribution({
            "query": text, "region": region.code if region else None, "release": release,
            "total": total,
            "shows": [search_entry(show, seasons.season.get(show.id), watchable, releases,
                                   url_for(".show", show_id=show.id, _external=True))
                      for show, watchable, releases in listed]}, shows)
    return _json(make)


@api.get("/openapi.json")
@takes()
def openapi(args: Values):
    catalogue = state.current().catalogue
    return _json(lambda: openapi_document(current_app, catalogue))


def _region_url(code: str) -> str:
    return url_for(".region", region_code=code.lower(), _external=True)


def _feed_url(region: str, show_id: str) -> str:
    return url_for("calfeed.show_calendar", region_code=region, show_id=show_id, _external=True)


def _json(make, *, window: tuple | None = None) -> Response:
    """A JSON body made once per data version, host and query (parameters were read by the
    route's declaration). A default window moves with the clock, so it is part of the key."""
    published = state.current()
    query = tuple((name, tuple(values)) for name, values in sorted(request.args.lists()))
    key = ("json", request.path, request.host_url, query, window)
    body = published.memo(key, lambda: _dumps(make()))
    return cacheable(body, "application/json",
                     max_age=current_app.config["API_MAX_AGE_SECONDS"],
                     last_modified=published.changed_at)


def _dumps(document: dict) -> bytes:
    # Insertion order, not sorted keys: renderers fix the order; the same data, the same bytes.
    return json.dumps(document, ensure_ascii=False, sort_keys=False).encode() + b"\n"


def init_app(app: Flask) -> None:
    app.register_blueprint(api)

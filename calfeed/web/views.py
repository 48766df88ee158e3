"""HTTP views for people and calendar apps: a show's page, the feeds and /healthz."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for

from . import pages, state
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..query.feed import FEED, languages, parse_feed_query
from ..render.feed_text import region_feed_header, show_feed_header
from ..render.health import DatasetHealth, health
from ..index.on_air import region_feed_has_events
from ..render.feeds import (Feed, FeedOptions, FeedSettings, region_feed, require_watchable,
                            show_feed)
from ..i18n import translations
from ..render.page_text import alarm_choices
from ..render.page_values import (episode_rows, language_choices, platform_choices, where_to_watch,
                            region_airings, time_sources)
from ..schedule.regions import countries
from ..schedule.zones import zone_of
from ..serve.dataset_updates import last_check
from .pages import page, page_region, region_choices
from .params import Values, takes, todays_show
from .page_cache import chosen_region, whole_response
from .page_words import page_language
from .responses import cacheable
from ..render.subscribe import subscribe_links

views = Blueprint("calfeed", __name__)


@views.get("/shows/<show_id>")
@whole_response(chosen_region)
@takes("region", "lang", "alarm", "release", "releases", page=True)
def show_page(show_id: str, args: Values):
    published, now = state.current(), state.now()
    show = todays_show(published.catalogue, show_id)
    region = page_region(args)
    watchable = region.code in show.regions
    if not watchable and ("release" in args or "releases" in args):
        raise ParameterError("release", f"{show.name()} cannot be watched in {region.name}: "
                                        "leave out release and releases")
    # The page takes what the show's feed takes, read by the feed's own parser, and passes it
    # on to the show's subscribe links; the episode table follows the platform chosen.
    query = parse_feed_query(args, (show,), region)
    lang = query.lang or "en"
    alarm = parse.alarm_text(query.alarms)
    # With Japanese titles (or, without lang, a Japanese browser) the page's words and the
    # picker's region names are Japanese too (CLDR): page_words.page_language decides.
    names = page_language()
    _ = translations(names).gettext
    feed_options = {k: v for k, v in (("alarm", alarm), ("lang", lang if lang != "en" else ""),
                                      ("release", ",".join(sorted(query.release_ids or ()))),
                                      ("releases", "all" if query.all_releases else "")) if v}
    panels = []
    if watchable:
        panels.append((_("This show"), subscribe_links(
            url_for(".show_calendar", region_code=region.code.lower(), show_id=show.id,
                    _external=True, **feed_options), show_feed_header(show, region, lang)[0], names)))
    # The region's feed takes only languages some show there has titles in, and is offered
    # only when its window holds events now: an empty feed is no use to subscribe to.
    shows_here = published.catalogue.shows_in(region.code)
    region_options = {k: v for k, v in feed_options.items() if k in ("alarm", "lang")
                      and (k != "lang" or v in languages(shows_here))}
    offer_region = region_feed_has_events(published, region, now)
    if offer_region:
        place = region.name if names == "en" else region.name_in(names)
        panels.append((_("Every show in {region}").format(region=place), subscribe_links(
            url_for(".region_calendar", region_code=region.code.lower(), _external=True,
                    **region_options), region_feed_header(region, region_options.get("lang"))[0], names)))
    # Any reminder the feed takes is kept; one the menu does not offer is shown as it is.
    offered = alarm_choices(names)
    reminders = offered if alarm in dict(offered) else \
        (*offered, (alarm, _("{minutes} minutes before").format(minutes=alarm)))
    airings = region_airings(published, show, region, query.release_ids,
                             query.all_releases) if watchable else []
    return page(render_template(
        "show.html", show=show, region=region, regions=region_choices(names),
        region_names=names, lang=lang,
        alarm=alarm, alarm_choices=reminders, feed_options=feed_options,
        languages=language_choices(parse.offered_languages(show.languages)),
        platforms=platform_choices(show, region, query, names) if watchable else [],
        watchable=watchable, panels=panels, offer_region=offer_region, shows_here=len(shows_here),
        rows=episode_rows(published, show, region, lang, now, query.release_ids,
                          query.all_releases, names) if watchable else [],
        where=[] if watchable else where_to_watch(show, countries(), names),
        time_sources=time_sources(airings, translations(names)),
        zone=zone_of(None, region).key))


@views.get("/healthz")
@takes()
def healthz(args: Values):
    service = state.service()
    published, calendars, database = service.published, service.calendars, service.database
    dataset = DatasetHealth(state.now(), float(current_app.config["DATASET_MAX_AGE_DAYS"]),
                            last_check(service.settings.dataset_dir))
    status, body = health(published, service.status, details=state.may_see_details(),
                          folder=current_app.config["SCHEDULES_DIR"],
                          calendars=calendars.problem() if calendars else None,
                          database=None if database is None else database.reachable(),
                          dataset=dataset)
    response = Response(json.dumps(body, ensure_ascii=False) + "\n", status=status,
                        content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@views.get("/feeds/<region_code>.ics")
@takes(declaration=FEED)
def region_calendar(region_code: str, args: Values):
    region = parse.region(region_code)
    published = state.current()
    query = parse_feed_query(args, published.catalogue.shows_in(region.code), region)
    return calendar_response(region_feed(published, FeedOptions(
        region, query, now=state.now(), url=request.url, settings=feed_settings())))


@views.get("/feeds/<region_code>/<show_id>.ics")
@takes(declaration=FEED)
def show_calendar(region_code: str, show_id: str, args: Values):
    region = parse.region(region_code)
    published = state.current()
    # An unknown show, or one not watchable here, is a 404 whatever the parameters say.
    show = todays_show(published.catalogue, show_id)
    require_watchable(show, region)
    query = parse_feed_query(args, (show,), region)
    return calendar_response(show_feed(published, show_id, FeedOptions(
        region, query, now=state.now(), url=request.url, settings=feed_settings())))


def feed_settings() -> FeedSettings:
    return FeedSettings(refresh=timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"]),
                        max_bytes=current_app.config["FEED_MAX_BYTES"],
                        event_cache_bytes=int(current_app.config["EVENT_CACHE_MAX_BYTES"]))


def calendar_response(feed: Feed) -> Response:
    response = cacheable(feed.body, "text/calendar; charset=utf-8",
                         max_age=current_app.config["FEED_REFRESH_MINUTES"] * 60,
                         last_modified=feed.last_modified)
    response.headers["Content-Disposition"] = f'inline; filename="{feed.filename}"'
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(views)
    pages.init_app(app)

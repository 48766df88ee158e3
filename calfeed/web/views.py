"""HTTP views for people and calendar apps: the pages and the feeds."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for

from . import state
from ..schedule.fields import advise
from ..render.health import health
from ..render.feeds import Feed, FeedSettings, languages, region_feed, show_feed
from ..render.pages import (ALARM_CHOICES, episode_rows, language_choices, region_airings,
                            show_cards, time_sources)
from .params import FEED_PARAMETERS, ParameterError, choose_language, parse_feed_query, single_values
from ..schedule.regions import Country, UnknownRegion, countries, country, region_from_languages
from .responses import cacheable
from ..render.subscribe import subscribe_links

views = Blueprint("calfeed", __name__)

PAGE_PARAMETERS = ("region",)
SHOW_PAGE_PARAMETERS = ("region", "lang", "alarm")

# Pages load only their own stylesheet and script; the QR codes are inline SVG markup.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")


@views.get("/")
def index():
    values = single_values(request.args.lists(), PAGE_PARAMETERS, allow_empty=True)
    region = _page_region(values)
    published = state.current()
    return _page(render_template("index.html", region=region, regions=_region_choices(),
                                 cards=show_cards(published, region, state.now())))


@views.get("/shows/<show_id>")
def show_page(show_id: str):
    published = state.current()
    show = published.catalog.show(show_id)
    values = single_values(request.args.lists(), SHOW_PAGE_PARAMETERS, allow_empty=True)
    region = _page_region(values)
    lang = choose_language(values.get("lang", "en"), show.languages, "these titles")
    alarm = values.get("alarm", "")
    if alarm not in dict(ALARM_CHOICES):
        raise ParameterError("alarm", f"alarm '{alarm}' is not one of the choices: use 15 or 60")
    feed_options = {k: v for k, v in (("alarm", alarm), ("lang", lang if lang != "en" else ""))
                    if v}
    watchable = region.code in show.regions
    panels = []
    if watchable:
        panels.append(("This show", subscribe_links(
            url_for(".show_calendar", region_code=region.code.lower(), show_id=show.id,
                    _external=True, **feed_options), f"{show.name(lang)} ({region.name})")))
    # The region's feed takes only languages some show there has titles in.
    region_options = {k: v for k, v in feed_options.items()
                      if k != "lang" or v in languages(published.catalog.shows_in(region.code))}
    panels.append((f"Every show in {region.name}", subscribe_links(
        url_for(".region_calendar", region_code=region.code.lower(), _external=True,
                **region_options), f"Anime in {region.name} (calfeed)")))
    return _page(render_template(
        "show.html", show=show, region=region, regions=_region_choices(), lang=lang,
        alarm=alarm, alarm_choices=ALARM_CHOICES, feed_options=feed_options,
        languages=language_choices(show.languages | {"en"}),
        watchable=watchable, panels=panels,
        rows=episode_rows(published, show, region, lang, state.now()) if watchable else [],
        time_sources=time_sources(region_airings(published, show, region)) if watchable else [],
        zone=region.display_zone or "UTC"))


def _page(html: str) -> Response:
    """A page with an ETag. No Last-Modified: what has aired changes with the clock, not only
    with the data. The region defaults from Accept-Language, so caches keep one per language."""
    response = cacheable(html.encode(), "text/html; charset=utf-8",
                         max_age=current_app.config["PAGE_MAX_AGE_SECONDS"], last_modified=None)
    response.vary.add("Accept-Language")
    return response


def _page_region(values: dict[str, str]) -> Country:
    """?region=, else the browser's language tags (Accept-Language), else the default."""
    if "region" in values:
        try:
            return country(values["region"])
        except UnknownRegion as exc:
            raise ParameterError("region", advise(str(exc), "use an ISO 3166-1 alpha-2 code "
                                                            "such as us or jp"),
                                 status=404) from None
    guessed = region_from_languages([tag for tag, _ in request.accept_languages])
    return country(guessed or current_app.config["DEFAULT_REGION"])


def _region_choices() -> list[Country]:
    return sorted(countries().values(), key=lambda c: c.name)


@views.get("/healthz")
def healthz():
    single_values(request.args.lists(), ())
    published = current_app.extensions.get(state.EXTENSION)
    status, body = health(published, state.load_status(), details=state.may_see_details(),
                          folder=current_app.config["SCHEDULES_DIR"])
    response = Response(json.dumps(body, ensure_ascii=False) + "\n", status=status,
                        content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@views.get("/feeds/<region_code>.ics")
def region_calendar(region_code: str):
    region = country(region_code)
    published = state.current()
    query = _feed_query(published.catalog.shows_in(region.code), region.display_zone)
    return _calendar_response(region_feed(published, region, query, now=state.now(),
                                          url=request.url, settings=_settings()))


@views.get("/feeds/<region_code>/<show_id>.ics")
def show_calendar(region_code: str, show_id: str):
    region = country(region_code)
    published = state.current()
    # An unknown show is a 404 whatever the parameters say.
    show = published.catalog.show(show_id)
    query = _feed_query((show,), region.display_zone)
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


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(views)
    app.after_request(_security_headers)

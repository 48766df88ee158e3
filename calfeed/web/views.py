"""HTTP views for people and calendar apps: the pages and the feeds."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for

from . import state
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..query.feed import FEED, languages, parse_feed_query
from ..render.attribution import attribution
from ..render.feed_text import region_feed_header, show_feed_header
from ..render.data_end import footer_line
from ..render.health import DatasetHealth, health
from ..index.on_air import region_feed_has_events
from ..render.feeds import (Feed, FeedOptions, FeedSettings, region_feed, require_watchable,
                            show_feed)
from ..i18n import translated_languages, translations
from ..render.page_text import alarm_choices
from ..render.pages import (episode_rows, language_choices, platform_choices, where_to_watch,
                            region_airings, time_sources)
from ..schedule.regions import Country, countries, country
from ..schedule.zones import zone_of
from ..serve.dataset_updates import last_check
from .moved import current_show_id
from .params import Values, moved_to, takes
from .page_cache import accepted_language, accepted_region, chosen_region, whole_response
from . import page_words
from .page_words import page_language
from .responses import cacheable
from ..render.subscribe import subscribe_links

views = Blueprint("calfeed", __name__)

# Pages load only their own stylesheet and script; the QR codes are inline SVG markup.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")


@views.get("/")
@whole_response(chosen_region)
@takes("region", "lang", page=True)
def index(args: Values):
    """What airs now and next in the visitor's region (catalogue_views.py)."""
    from .catalogue_views import front_page
    return front_page(args)


@views.get("/shows/<show_id>")
@whole_response(chosen_region)
@takes("region", "lang", "alarm", "release", "releases", page=True)
def show_page(show_id: str, args: Values):
    published, now = state.current(), state.now()
    show = published.catalog.show(_canonical_show(show_id, published, ".show_page"))
    region = _page_region(args)
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
    shows_here = published.catalog.shows_in(region.code)
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
    return _page(render_template(
        "show.html", show=show, region=region, regions=_region_choices(names),
        region_names=names, lang=lang,
        alarm=alarm, alarm_choices=reminders, feed_options=feed_options,
        languages=language_choices(parse.offered_languages(show.languages)),
        platforms=platform_choices(show, region, query, names) if watchable else [],
        watchable=watchable, panels=panels, offer_region=offer_region, shows_here=len(shows_here),
        rows=episode_rows(published, show, region, lang, now, query.release_ids,
                          query.all_releases, names) if watchable else [],
        where=[] if watchable else where_to_watch(show, countries()),
        time_sources=time_sources(airings, translations(names)),
        zone=zone_of(None, region).key))


def _page(html: str) -> Response:
    """A page with an ETag. No Last-Modified: what has aired changes with the clock, not only
    with the data. The region defaults from Accept-Language, so shared caches keep one per
    language (named even with ?region=: over-varying is never wrong). calfeed's own cache keys
    on the region chosen instead (page_cache.py)."""
    response = cacheable(html.encode(), "text/html; charset=utf-8",
                         max_age=current_app.config["PAGE_MAX_AGE_SECONDS"], last_modified=None)
    response.vary.add("Accept-Language")
    return response


def _page_region(args: Values) -> Country:
    """?region=, else the browser's language tags (Accept-Language), else the default."""
    if "region" in args:
        return parse.region(args.get("region"))
    # The same function keys the page in the response cache (page_cache.chosen_region).
    return country(accepted_region(request.headers.get("Accept-Language"),
                                   current_app.config["DEFAULT_REGION"]))


def _names_language(args: Values) -> str:
    """The language of the names a page writes (the region picker's): ?lang=, one calfeed has
    words for, else the browser's first such (Accept-Language), else English. The show page,
    whose lang is its titles', asks page_words.page_language instead."""
    if "lang" in args:
        return parse.lang(args.get("lang"), translated_languages(), "calfeed's pages")
    return accepted_language(request.headers.get("Accept-Language"))


def _picker(args: Values, names: str | None = None) -> dict:
    """What the region picker of a page needs: the regions named and ordered in the page's
    language, and ?lang= kept when the picker is sent."""
    names = names or _names_language(args)
    return {"regions": _region_choices(names), "region_names": names,
            "kept_lang": {"lang": args.get("lang")} if "lang" in args else {}}


def _region_choices(lang: str = "en") -> list[Country]:
    """Every country, ordered by its name in `lang` (code points: kana in gojūon order)."""
    return sorted(countries().values(), key=lambda c: c.name_in(lang))


def _canonical_show(show_id: str, published, endpoint: str) -> str:
    """The show's id as the catalogue spells it; another case, an old id or the stable key
    redirects there (301, web/moved.py), so each page, feed and document has one address. An
    unknown id is left to the lookup's 404."""
    found = current_show_id(published, show_id)
    if found is not None and found != show_id:
        moved_to(url_for(endpoint, **{**request.view_args, "show_id": found}))
    return show_id


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
    query = parse_feed_query(args, published.catalog.shows_in(region.code), region)
    return _calendar_response(region_feed(published, FeedOptions(
        region, query, now=state.now(), url=request.url, settings=_settings())))


@views.get("/feeds/<region_code>/<show_id>.ics")
@takes(declaration=FEED)
def show_calendar(region_code: str, show_id: str, args: Values):
    region = parse.region(region_code)
    published = state.current()
    # An unknown show, or one not watchable here, is a 404 whatever the parameters say.
    show = published.catalog.show(_canonical_show(show_id, published, ".show_calendar"))
    require_watchable(show, region)
    query = parse_feed_query(args, (show,), region)
    return _calendar_response(show_feed(published, show_id, FeedOptions(
        region, query, now=state.now(), url=request.url, settings=_settings())))


def _settings() -> FeedSettings:
    return FeedSettings(refresh=timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"]),
                        max_bytes=current_app.config["FEED_MAX_BYTES"],
                        event_cache_bytes=int(current_app.config["EVENT_CACHE_MAX_BYTES"]))


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


@views.app_context_processor
def _credit() -> dict:
    """Every page's footer credits imported data when the catalogue serves some (CC BY 4.0),
    and names its version and date."""
    published = state.service().published
    if published is None:
        return {"credit": None, "data_line": None}
    found = _attribution(published)
    # How current the imported data is, on every page that serves it.
    return {"credit": found.as_json() if found else None,
            "data_line": footer_line(published, page_language())}


def _attribution(published):
    """The credit of the data the catalogue imported, once per data version."""
    return published.beside("attribution", lambda: attribution(published.catalog.shows.values()))


def init_app(app: Flask) -> None:
    app.register_blueprint(views)
    # Made before a version is served (every page's footer needs it): the first page of a
    # start waited some 80 ms for it over the imported catalogue.
    state.service(app).prepare_with(_attribution)
    page_words.init_app(app)
    app.after_request(_security_headers)

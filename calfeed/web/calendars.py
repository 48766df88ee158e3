"""My calendar: the form, the secret edit page, and the personal feed /feeds/my/{id}.ics."""

from __future__ import annotations

import atexit
import json
import multiprocessing.util
import os
import secrets
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, \
    url_for

from . import state
from ..errors import NotFound
from ..render.feeds import chosen_feed
from ..render.ics import Edit
from ..render.feed_text import my_feed_header
from ..render.catalogue import indexes
from .catalogue_views import READINGS
from ..render.on_air import form_groups
from ..render.pages import ALARM_CHOICES
from ..schedule.regions import country, countries
from .calendar_form import read_form
from .list_import import match_list
from .moved import current_show_id
from .calendar_edge import IMPORT_PATH, PERSONAL_FEEDS, check_csrf, csrf_cookie, init_edge, \
    no_store, one_save_at_a_time
from .calendar_rules import Limits, Outdated
from .calendar_store import CalendarStore
from .pg_calendar_store import PgCalendarStore
from ..database import DATABASE
from .store_faults import Unavailable
from ..query import values as parse
from ..query.errors import ParameterError
from ..query.feed import FeedQuery
from ..i18n import catalogue_languages, words_language
from .page_cache import accepted_language
from .params import Values, takes
from .response_cache import SKIP
from .views import _page_region, _region_choices

calendars = Blueprint("calendars", __name__)
EXTENSION = "calfeed.calendars"


def store() -> CalendarStore:
    return current_app.extensions[EXTENSION]


@calendars.get("/calendars/new")
@takes("region", "show", "lang", page=True)
def new(args: Values):
    """The empty form; `?show=`, `?region=` and `?lang=` prefill it (the pages' "+" buttons
    link here). Without a region, the browser's languages choose one, as on every page."""
    region = _page_region(args)
    shows = [_show_id(state.current(), given) for given in args.all("show")]
    lang = parse.lang(args.get("lang"), catalogue_languages(), "the form's titles") \
        if "lang" in args else None
    choices = {"region": region.code, "shows": {s: None for s in shows},
               "lang": None if lang == "en" else lang, "alarms": []}
    return _form_page("calendar_new.html", choices, status=200,
                      names=words_language(lang) if lang else None)


@calendars.post(IMPORT_PATH)
@one_save_at_a_time
def import_list():
    """The new form prefilled from an uploaded list; the file is read for ids, never stored."""
    check_csrf()
    upload = request.files.get("list")
    if upload is None or not upload.filename:
        raise ParameterError("list", "choose a MyAnimeList export (.xml) or AniList list (.json)")
    # The one region parser, as every route: an unknown region is a 400, never the default.
    region = parse.region(request.form.get("region", "").strip() or
                          current_app.config["DEFAULT_REGION"]).code
    catalog = state.current().catalog
    matched = match_list(upload.read(), catalog, region)
    here = [s for s in matched.show_ids if region in catalog.show(s).regions]
    elsewhere = [catalog.show(s).name() + " (not watchable in this region)"
                 for s in matched.show_ids if s not in here]
    choices = {"region": region, "shows": {s: None for s in here}, "lang": None, "alarms": []}
    return _form_page("calendar_new.html", choices, status=200,
                      unmatched=[*matched.unmatched, *elsewhere], imported=len(here))


@calendars.post("/calendars")
@one_save_at_a_time
def create():
    check_csrf()
    choices = read_form(request.form.to_dict(flat=False), state.current().catalog)
    feed_id, edit_key = store().create(choices, request.remote_addr or "")
    return no_store(redirect(url_for(".edit", edit_key=edit_key, created=1), code=303))


@calendars.get("/calendars/<edit_key>")
@takes("created", page=True)
def edit(edit_key: str, args: Values):
    stored = _by_edit_key(edit_key)
    return _form_page("calendar_edit.html", stored.choices, status=200, stored=stored,
                      edit_key=edit_key, created=parse.flag(args.get("created"), "created"),
                      generation=stored.generation)


@calendars.post("/calendars/<edit_key>")
@one_save_at_a_time
def replace(edit_key: str):
    check_csrf()
    stored = _by_edit_key(edit_key)
    fields = request.form.to_dict(flat=False)
    loaded = _loaded_generation(fields.pop("generation", []))
    choices = read_form(fields, state.current().catalog)
    try:
        store().replace(edit_key, choices, loaded)
    except Outdated as exc:
        # Saved elsewhere (another tab or device) since this page was loaded: nothing is
        # overwritten unseen, and nothing chosen here is lost; the form comes back as sent,
        # and sending it again saves it over the newer edit.
        return _form_page("calendar_edit.html", choices, status=409, stored=stored,
                          edit_key=edit_key, generation=exc.generation, outdated=True)
    return no_store(redirect(url_for(".edit", edit_key=edit_key), code=303))


def _loaded_generation(given: list[str]) -> int | None:
    """The edit count the page was loaded at (None: a form sent without it, as by a script)."""
    if not given:
        return None
    if len(given) > 1 or not given[0].isdigit() or len(given[0]) > 18:
        raise ParameterError("generation", "the form's edit count is not a number: reload the "
                                           "page and send it again")
    return int(given[0])


@calendars.post("/calendars/<edit_key>/delete")
@one_save_at_a_time
def delete(edit_key: str):
    check_csrf()
    _by_edit_key(edit_key)
    store().delete(edit_key)
    return no_store(Response(render_template("calendar_deleted.html", region=None),
                              content_type="text/html; charset=utf-8"))


@calendars.get("/calendars/<edit_key>/shows.json")
@takes()
def shows_of(edit_key: str, args: Values):
    """The show ids of a calendar, for the pages' script to mark what is in it."""
    stored = _by_edit_key(edit_key)
    body = json.dumps({"feed": _feed_url(stored.feed_id), "shows": sorted(stored.choices["shows"])})
    return no_store(Response(body + "\n", content_type="application/json"))


@calendars.get("/feeds/my/<feed_id>.ics")
@takes()
def feed(feed_id: str, args: Values):
    stored = store().feed(feed_id)
    if stored is None:
        raise NotFound("no calendar has this address: check the link you subscribed to")
    choices, published = stored.choices, state.current()
    region = country(choices["region"])
    shows = _current_choices(published, region, choices["shows"])
    query = FeedQuery(lang=choices["lang"], alarms=tuple(choices["alarms"]))
    from .views import _calendar_response, _settings
    name, about = my_feed_header(region, len(shows), query.lang)
    return _calendar_response(chosen_feed(
        published, region, shows, query, now=state.now(), url=request.url, settings=_settings(),
        name=name, about=about, filename="my-calfeed.ics",
        edit=Edit(stored.generation, stored.edited)))


def _current_choices(published, region, stored: dict) -> dict:
    """The stored choices as today's data names them. A subscription must not fail or empty
    (Thunderbird drops every event on an error): a show whose id changed keeps its place under
    today's id (aliases, the stable key); a show gone from the data leaves; a chosen platform
    gone from the show or the region falls back to the earliest release."""
    shows = {}
    for stored_id, release_ids in stored.items():
        show_id = current_show_id(published, stored_id)
        if show_id is None:
            continue
        if release_ids is not None:
            here = {r.id for r in published.catalog.shows[show_id].releases
                    if r.watchable_in(region.code)}
            release_ids = frozenset(release_ids) & here or None
        shows[show_id] = release_ids
    return shows


def personal_feeds(calendars: CalendarStore, otherwise: Callable[[dict], object]):
    """The response cache's `variant` with personal feeds kept too, keyed on the calendar's
    edit generation read on every request: a save in any worker raises it, so no worker answers
    from a copy made before the save, and a deleted or unknown calendar is never kept (its 410
    or 404 comes from Flask). Other requests are `otherwise`'s to judge."""
    def variant(environ):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PERSONAL_FEEDS):
            return otherwise(environ)
        feed_id = path[len(PERSONAL_FEEDS):].removesuffix(".ics")
        try:
            generation = calendars.generation(feed_id) if path.endswith(".ics") else None
        except Unavailable:
            generation = None       # Flask answers the 503
        return SKIP if generation is None else ("calendar generation", generation)
    return variant


def _show_id(published, given: str) -> str:
    """A show as every route takes it: its id in any case, an old id or its stable key
    (bgm425595), as moved.py resolves them; else the unknown-show error."""
    found = current_show_id(published, given)
    return found if found is not None else parse.show_id(given, published.catalog.shows)


def _by_edit_key(edit_key: str):
    stored = store().by_edit_key(edit_key)
    if stored is None:
        raise NotFound("no calendar has this edit link: check the address you bookmarked")
    return stored


def _feed_url(feed_id: str) -> str:
    return url_for(".feed", feed_id=feed_id, _external=True)


def _form_page(template: str, choices: dict, *, status: int, names: str | None = None,
               **extra) -> Response:
    token = request.cookies.get(csrf_cookie()) or secrets.token_urlsafe(32)
    published = state.current()
    region_code = choices["region"] if choices["region"] in countries() else \
        current_app.config["DEFAULT_REGION"]
    region = country(region_code)
    # Regions named in the calendar's language of titles, else the browser's (as on pages).
    names = names or (words_language(choices["lang"]) if choices.get("lang") else
                      accepted_language(request.headers.get("Accept-Language")))
    first = indexes(published, current_app.extensions[READINGS]).seasons.get().first
    html = render_template(
        template, region=region, regions=_region_choices(names), region_names=names,
        groups=form_groups(published, region, state.now(), choices["shows"], first),
        choices=choices,
        alarm_choices=ALARM_CHOICES, csrf_token=token,
        feed_url=_feed_url(extra["stored"].feed_id) if "stored" in extra else None, **extra)
    response = no_store(Response(html, status=status, content_type="text/html; charset=utf-8"),
                        referrer="strict-origin")
    response.set_cookie(csrf_cookie(), token, httponly=True, samesite="Strict",
                        secure=request.is_secure, path="/" if request.is_secure else "/calendars")
    return response


def init_app(app: Flask) -> None:
    if not app.config.get("CALENDARS_PATH"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["CALENDARS_PATH"] = os.path.join(app.instance_path, "calendars.sqlite3")
    limits = Limits(max_shows=app.config["CALENDAR_MAX_SHOWS"],
                    creations_per_hour=app.config["CALENDAR_CREATIONS_PER_HOUR"],
                    max_total_bytes=app.config["CALENDARS_MAX_BYTES"])
    database = app.extensions.get(DATABASE)
    # The views never know which: both stores have the same methods and answers.
    calendar_store = app.extensions[EXTENSION] = \
        CalendarStore(app.config["CALENDARS_PATH"], limits) if database is None else \
        PgCalendarStore(database, limits)
    # At a clean stop, fold the write-ahead log into the file: calendars were left in
    # calendars.sqlite3-wal, and a plain copy held none of them. granian's workers are
    # multiprocessing children, which end with os._exit after multiprocessing's own finalizers
    # (atexit is not run there); other servers end through atexit. Closing twice is harmless.
    atexit.register(calendar_store.close)
    multiprocessing.util.Finalize(None, calendar_store.close, exitpriority=10)
    app.register_blueprint(calendars)
    init_edge(app)

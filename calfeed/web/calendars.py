"""My calendar: the form, the secret edit page, and the personal feed /feeds/my/{id}.ics."""

from __future__ import annotations

import atexit
import functools
import hmac
import io
import multiprocessing.util
import json
import os
import secrets
import threading
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, \
    url_for
from werkzeug.exceptions import RequestEntityTooLarge

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
from .calendar_rules import CalendarGone, LimitReached, Limits, Outdated
from .calendar_store import CalendarStore
from .store_faults import Unavailable
from ..query import values as parse
from ..query.errors import ParameterError
from ..query.feed import FeedQuery
from ..i18n import catalogue_languages, words_language
from .page_cache import accepted_language
from .params import Values, takes
from .response_cache import SKIP
from .responses import problem
from .views import _page_region, _region_choices

calendars = Blueprint("calendars", __name__)
EXTENSION = "calfeed.calendars"
SAVING = "calfeed.calendars.saving"
PERSONAL_FEEDS = "/feeds/my/"
CSRF_COOKIE = "calfeed_csrf"
IMPORT_PATH = "/calendars/import"


def store() -> CalendarStore:
    return current_app.extensions[EXTENSION]


def one_save_at_a_time(view):
    """At most one form (create, edit, delete, list) worked on at a time in a worker; another
    is a 503 (Retry-After: 1) at once. Saves take turns on the file's write lock anyway, and the
    worker's other thread stays free for feeds: a 50-connection create flood took feeds from
    18,098 to 871 req/s when every thread was parsing a form."""
    @functools.wraps(view)
    def gated(*args, **kwargs):
        gate: threading.Lock = current_app.extensions[SAVING]
        if not gate.acquire(blocking=False):
            raise Unavailable("personal calendars are busy with other saves: send the form "
                              "again in a second", 1)
        try:
            return view(*args, **kwargs)
        finally:
            gate.release()
    return gated


@calendars.get("/calendars/new")
@takes("region", "show", "lang", page=True)
def new(args: Values):
    """The empty form; `?show=`, `?region=` and `?lang=` prefill it (the pages' "+" buttons
    link here). Without a region, the browser's languages choose one, as on every page."""
    region = _page_region(args)
    catalog = state.current().catalog
    shows = [parse.show_id(given, catalog.shows) for given in args.all("show")]
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
    _check_csrf()
    upload = request.files.get("list")
    if upload is None or not upload.filename:
        raise ParameterError("list", "choose a MyAnimeList export (.xml) or AniList list (.json)")
    region = request.form.get("region", "").strip().upper() or \
        current_app.config["DEFAULT_REGION"]
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
    _check_csrf()
    choices = read_form(request.form.to_dict(flat=False), state.current().catalog)
    feed_id, edit_key = store().create(choices, request.remote_addr or "")
    return redirect(url_for(".edit", edit_key=edit_key, created=1), code=303)


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
    _check_csrf()
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
    return redirect(url_for(".edit", edit_key=edit_key), code=303)


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
    _check_csrf()
    _by_edit_key(edit_key)
    store().delete(edit_key)
    return _no_store(Response(render_template("calendar_deleted.html", region=None),
                              content_type="text/html; charset=utf-8"))


@calendars.get("/calendars/<edit_key>/shows.json")
@takes()
def shows_of(edit_key: str, args: Values):
    """The show ids of a calendar, for the pages' script to mark what is in it."""
    stored = _by_edit_key(edit_key)
    body = json.dumps({"feed": _feed_url(stored.feed_id), "shows": sorted(stored.choices["shows"])})
    return _no_store(Response(body + "\n", content_type="application/json"))


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


def _by_edit_key(edit_key: str):
    stored = store().by_edit_key(edit_key)
    if stored is None:
        raise NotFound("no calendar has this edit link: check the address you bookmarked")
    return stored


def _feed_url(feed_id: str) -> str:
    return url_for(".feed", feed_id=feed_id, _external=True)


def _form_page(template: str, choices: dict, *, status: int, names: str | None = None,
               **extra) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
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
    response = _no_store(Response(html, status=status, content_type="text/html; charset=utf-8"))
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict",
                        secure=request.is_secure, path="/calendars")
    return response


def _check_csrf() -> None:
    """Double submit: the form's hidden token must equal the SameSite=Strict cookie's, which
    another site can neither read nor send along."""
    cookie, field = request.cookies.get(CSRF_COOKIE, ""), request.form.get("csrf_token", "")
    if not cookie or not hmac.compare_digest(cookie, field):
        raise ParameterError("csrf_token", "this form is out of date or was sent from another "
                                           "site: reload the page and send it again",
                             "refused")


def _no_store(response: Response) -> Response:
    # The edit key is in these URLs: keep them out of caches and of other sites' Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def chunked(environ: dict) -> bool:
    return "HTTP_TRANSFER_ENCODING" in environ or not environ.get("CONTENT_LENGTH")


def read_whole(environ: dict, limit: int) -> None:
    """A body without a length read whole, up to `limit` bytes, and given to Werkzeug as a body
    of known length; one byte more is a 413."""
    stream, data = environ["wsgi.input"], bytearray()
    while len(data) <= limit:
        part = stream.read(min(65536, limit + 1 - len(data)))
        if not part:
            break
        data += part
    if len(data) > limit:
        raise RequestEntityTooLarge()
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(bytes(data)), str(len(data))


def init_app(app: Flask) -> None:
    if not app.config.get("CALENDARS_PATH"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["CALENDARS_PATH"] = os.path.join(app.instance_path, "calendars.sqlite3")
    app.extensions[SAVING] = threading.Lock()
    calendar_store = app.extensions[EXTENSION] = CalendarStore(
        app.config["CALENDARS_PATH"], Limits(
            max_shows=app.config["CALENDAR_MAX_SHOWS"],
            creations_per_hour=app.config["CALENDAR_CREATIONS_PER_HOUR"],
            max_total_bytes=app.config["CALENDARS_MAX_BYTES"]))
    # At a clean stop, fold the write-ahead log into the file: calendars were left in
    # calendars.sqlite3-wal, and a plain copy held none of them. granian's workers are
    # multiprocessing children, which end with os._exit after multiprocessing's own finalizers
    # (atexit is not run there); other servers end through atexit. Closing twice is harmless.
    atexit.register(calendar_store.close)
    multiprocessing.util.Finalize(None, calendar_store.close, exitpriority=10)
    app.register_blueprint(calendars)

    @app.errorhandler(CalendarGone)
    def gone(error: CalendarGone):
        if not request.path.startswith(PERSONAL_FEEDS):
            return problem(410, "gone", error.message)     # an edit page: never kept
        # A deletion is for good: shared caches keep the 410 as they keep the feed, so that it
        # replaces their copy. With no-store nginx kept its stale copy and served it forever
        # (proxy_cache_use_stale updating); it now answers 410 within the shared max-age.
        shared = current_app.config["SHARED_MAX_AGE_SECONDS"]
        return problem(410, "gone", error.message, headers={"Cache-Control": (
            f"public, max-age={current_app.config['FEED_REFRESH_MINUTES'] * 60}, "
            f"s-maxage={shared}")})

    @app.errorhandler(Unavailable)
    def unavailable(error: Unavailable):
        # A calendar app retries later; nginx serves its last good copy meanwhile.
        return problem(503, "unavailable", error.message,
                       headers={"Retry-After": str(error.retry_after)})

    @app.errorhandler(LimitReached)
    def limit(error: LimitReached):
        return problem(429, "limit_reached", error.message)

    # Every body is capped before it is parsed or spooled, however it is framed: a
    # Content-Length over the limit is refused by Werkzeug before reading; a chunked body is
    # read here up to the limit (Werkzeug alone would cut it there and parse the rest as if
    # whole) and refused once it passes it.
    # (Flask's MAX_FORM_MEMORY_SIZE, 500 KB, stays: it also bounds the multipart parser's
    # buffer, which takes 64 KiB reads, so a lower one refused every list file over 64 KB.)
    app.config["MAX_CONTENT_LENGTH"] = app.config["CALENDAR_FORM_MAX_BYTES"]

    @app.before_request
    def cap_body():
        if request.path == IMPORT_PATH:
            request.max_content_length = app.config["CALENDAR_IMPORT_MAX_BYTES"]
        if request.method not in ("GET", "HEAD") and chunked(request.environ):
            read_whole(request.environ, request.max_content_length)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = request.max_content_length
        what = ("the list file is", "export a shorter list (only what you watch or plan to)") \
            if request.path == IMPORT_PATH else \
            ("the form is", "choose fewer shows, or make a second calendar")
        size = f"{request.content_length} bytes" if request.content_length else "larger"
        # The rest of the body is not read: the connection cannot carry another request.
        return problem(413, "bad_request", f"{what[0]} {size}, over the limit of {limit} bytes: "
                                         f"{what[1]}", headers={"Connection": "close"})

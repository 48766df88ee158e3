"""My calendar: the form, the secret edit page, and the personal feed /feeds/my/{id}.ics."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, \
    url_for

from . import state
from ..errors import NotFound
from ..i18n import release_name
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..query.feed import FeedQuery
from ..publish.calendar_edits import KEY as EDITS, current_edits, next_edits, show_edits
from ..render.feed_text import my_feed_header
from ..render.feeds import FeedOptions, FeedTitle, chosen_feed
from ..schedule.regions import country
from .calendar_cookie import forgotten, opened
from .calendar_edge import IMPORT_PATH, PERSONAL_FEEDS, check_csrf, init_edge, no_store, \
    one_save_at_a_time
from ..calendars.form import form_region, read_form
from .calendar_page import FORM_ARGS, asked_choices as _asked_choices, form_html as _form_html, \
    listed as _form_list, page_lang, page_titles, prepare_form_lists
from ..calendars.rules import Outdated, Stored
from ..calendars.list_import import match_list
from .page_cache import chosen_region, whole_response
from .page_words import page_messages
from .params import Values, takes
from .response_cache import SKIP
from .responses import cacheable
from ..calendars.faults import Unavailable
from ..serve.stores import Calendars
from .pages import page, page_region
from .views import calendar_response, feed_settings

calendars = Blueprint("calendars", __name__)


def store() -> Calendars:
    return state.service().calendars


@calendars.get("/calendars/new")
@whole_response(chosen_region)
@takes(*FORM_ARGS, page=True)
def new(args: Values):
    """The empty form; `?show=`, `?release=`, `?region=` and `?lang=` prefill it (the pages'
    links), `?q=` filters it (the filter box without script). The same for every visitor, so
    it is cached: no cookie, no token (forms are checked by their origin, `check_csrf`).
    Without a region, the browser's languages choose one, as on every page."""
    region = page_region(args)
    choices = _asked_choices(args, region)
    return page(_form_html("calendar_new.html", choices, args.get("q", "")))


@calendars.get("/calendars/shows.json")
@whole_response(chosen_region)
@takes("region", "q", page=True)
def shows_json(args: Values):
    """The filter's matches for the form's script, which lists them as a person types."""
    region = page_region(args)
    listed = _form_list(region, {}, args.get("q", ""))
    body = {"query": listed.query, "region": region.code, "matched": listed.matched,
            "shows": [{"id": row.show.id, "title": row.title, "title_ja": row.title_ja,
                       "releases": [[r.id, release_name(r.name, page_messages())]
                                    for r in row.releases]}
                      for row in listed.matches]}
    return cacheable((json.dumps(body, ensure_ascii=False) + "\n").encode(), "application/json",
                     max_age=current_app.config["PAGE_MAX_AGE_SECONDS"], last_modified=None)


@calendars.post(IMPORT_PATH)
@one_save_at_a_time
def import_list():
    """The new form prefilled from an uploaded list; the file is read for ids, never stored."""
    check_csrf()
    upload = request.files.get("list")
    if upload is None or not upload.filename:
        raise ParameterError("list", "choose a MyAnimeList export (.xml) or AniList list (.json)")
    region = form_region(request.form.to_dict(flat=False),
                         current_app.config["DEFAULT_REGION"]).code
    catalogue = state.current().catalogue
    matched = match_list(upload.read(), catalogue, region)
    here = [s for s in matched.show_ids if region in catalogue.show(s).regions]
    elsewhere = [catalogue.show(s).name() for s in matched.show_ids if s not in here]
    choices = {"region": region, "shows": {s: None for s in here}, "lang": page_titles(),
               "alarms": []}
    return no_store(Response(
        _form_html("calendar_new.html", choices, "", unmatched=matched.unmatched,
                   elsewhere=elsewhere, imported=len(here)),
        content_type="text/html; charset=utf-8"),
        referrer="strict-origin")


@calendars.post("/calendars")
@one_save_at_a_time
def create():
    check_csrf()
    choices = read_form(request.form.to_dict(flat=False), state.current().catalogue,
                        store().limits.max_shows)
    choices[EDITS] = next_edits(None, 0, None, choices, _now(), _airings_in(choices))
    feed_id, edit_key = store().create(choices, request.remote_addr or "")
    return opened(no_store(redirect(url_for(".edit", edit_key=edit_key, created=1), code=303)),
                  edit_key, made=True)


@calendars.get("/calendars/<edit_key>")
@takes("created", "saved", "generation", *FORM_ARGS, page=True)
def edit(edit_key: str, args: Values):
    """The edit page; with `?q=` (its filter box without script) it lists the choices sent
    along, which are not saved yet."""
    stored = _by_edit_key(edit_key)
    choices = stored.choices
    if "q" in args or "show" in args:
        choices = _asked_choices(args, page_region(args))
    html = _form_html("calendar_edit.html", choices, args.get("q", ""), stored=stored,
                      edit_key=edit_key, created=parse.flag(args.get("created"), "created"),
                      saved=parse.flag(args.get("saved"), "saved"), generation=stored.generation)
    # This browser has opened the calendar: its "+ My calendar" buttons add to it now. The
    # page holds forms: strict-origin lets browsers name this origin when they send them.
    return opened(no_store(Response(html, content_type="text/html; charset=utf-8"),
                           referrer="strict-origin"), edit_key)


@calendars.post("/calendars/<edit_key>")
@one_save_at_a_time
def replace(edit_key: str):
    check_csrf()
    stored = _by_edit_key(edit_key)
    fields = request.form.to_dict(flat=False)
    loaded = _loaded_generation(fields.pop("generation", []))
    choices = read_form(fields, state.current().catalogue, store().limits.max_shows)
    try:
        save(edit_key, stored, choices, loaded)
    except Outdated as exc:
        # Saved elsewhere (another tab or device) since this page was loaded: nothing is
        # overwritten unseen, and nothing chosen here is lost; the form comes back as sent,
        # and sending it again saves it over the newer edit.
        html = _form_html("calendar_edit.html", choices, "", stored=stored, edit_key=edit_key,
                          generation=exc.generation, outdated=True)
        return no_store(Response(html, status=409, content_type="text/html; charset=utf-8"),
                        referrer="strict-origin")
    return no_store(redirect(url_for(".edit", edit_key=edit_key, saved=1), code=303))


def _loaded_generation(given: list[str]) -> int | None:
    """The edit count the page was loaded at (None: a form sent without it, as by a script)."""
    if not given:
        return None
    if len(given) > 1 or not given[0].isdigit() or len(given[0]) > 18:
        raise ParameterError("generation", "the form's edit count is not a number: reload the "
                                           "page and send it again")
    return int(given[0])


@calendars.get("/calendars/<edit_key>/delete")
@takes("lang", page=True)
def confirm_delete(edit_key: str, args: Values):
    """Asked before a delete: the feed stops for every app subscribed to it. `lang` is the
    page's, as on every page."""
    page_lang(args)
    stored = _by_edit_key(edit_key)
    return no_store(Response(render_template(
        "calendar_delete.html", region=country(stored.choices["region"]), edit_key=edit_key,
        shows=len(stored.choices["shows"])), content_type="text/html; charset=utf-8"),
        referrer="strict-origin")


@calendars.post("/calendars/<edit_key>/delete")
@one_save_at_a_time
def delete(edit_key: str):
    check_csrf()
    _by_edit_key(edit_key)
    store().delete(edit_key)
    return forgotten(no_store(Response(render_template("calendar_deleted.html", region=None),
                                        content_type="text/html; charset=utf-8")))


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
    ids = _current_ids(published, choices["shows"])
    shows = _current_choices(published, region, choices["shows"], ids)
    query = FeedQuery(lang=choices["lang"], alarms=tuple(choices["alarms"]))
    name, about = my_feed_header(region, len(shows), query.lang)
    return calendar_response(chosen_feed(
        published, shows,
        FeedOptions(region, query, now=state.now(), url=request.url, settings=feed_settings()),
        FeedTitle(name, about, "my-calfeed.ics"),
        edits=current_edits(show_edits(choices, stored.generation, stored.edited), ids)))


def save(edit_key: str, stored: Stored, choices: dict, loaded: int | None = None) -> None:
    """Replace a calendar's choices; the shows whose events this changes count an edit.
    `loaded`: the generation the edit page was loaded at (Outdated if saved since)."""
    published = state.current()
    old = dict(stored.choices)
    region = country(old["region"])
    ids = _current_ids(published, old["shows"])
    # The choices as today's data names them, so a show renamed since is the same show.
    old["shows"] = _current_choices(published, region, old["shows"], ids)
    record = stored.choices.get(EDITS)
    if record is not None:
        old[EDITS] = {**record, "shows": {ids.get(s, s): v for s, v in record["shows"].items()}}
    choices[EDITS] = next_edits(old, stored.generation, stored.edited, choices, _now(),
                                _airings_in(choices))
    store().replace(edit_key, choices, loaded)


def _airings_in(choices: dict):
    """What a show's events are under a choice of releases in the choices' region: the airings
    picked, each named by its release's UID."""
    published, region = state.current(), country(choices["region"])

    def airings(show_id: str, release_ids) -> frozenset[str]:
        show = published.catalogue.shows.get(show_id)
        if show is None:
            return frozenset()
        here = {r.id for r in show.releases if r.watchable_in(region.code)}
        chosen = frozenset(release_ids or ()) & here or None
        return frozenset(a.uid for a in published.selection(region.code, (show_id,), chosen,
                                                             False))
    return airings


def _now() -> datetime:
    # Whole seconds, as the store keeps edit times: LAST-MODIFIED has no finer unit.
    return datetime.now(timezone.utc).replace(microsecond=0)


def _current_ids(published, stored: dict) -> dict[str, str]:
    """Stored show ids to today's (an id may change; aliases and the stable key lead on); a
    show gone from the data is left out."""
    return {stored_id: show_id for stored_id in stored
            if (show_id := published.catalogue.current_id(stored_id)) is not None}


def _current_choices(published, region, stored: dict, ids: dict[str, str]) -> dict:
    """The stored choices as today's data names them. A subscription must not fail or empty
    (Thunderbird drops every event on an error): a show whose id changed keeps its place under
    today's id (aliases, the stable key); a show gone from the data leaves; a chosen platform
    gone from the show or the region falls back to the earliest release."""
    shows = {}
    for stored_id, show_id in ids.items():
        release_ids = stored[stored_id]
        if release_ids is not None:
            here = {r.id for r in published.catalogue.shows[show_id].releases
                    if r.watchable_in(region.code)}
            release_ids = frozenset(release_ids) & here or None
        shows[show_id] = release_ids
    return shows


def personal_feeds(calendars: Calendars, otherwise: Callable[[dict], object]):
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


def init_app(app: Flask) -> None:
    app.register_blueprint(calendars)
    prepare_form_lists(app)
    init_edge(app)

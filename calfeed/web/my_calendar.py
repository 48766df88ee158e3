"""The "+ My calendar" buttons: add a show to this browser's calendar in one step, or pick it for one.

The buttons are small POST forms on the pages (show, cards, search results, week), the same
for every visitor. The calendar they add to is the one whose edit key this browser keeps in its
cookie (calendar_cookie.py); before there is one, the shows are kept as picks and the new form
opens with them ticked. With script the page sends the form itself and reads the JSON answer;
without, the answer is a small page with the undo.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, render_template, \
    request, url_for

from . import state
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..schedule.regions import country
from .calendar_cookie import COOKIE_PATH, KEPT_SECONDS, PICKS_COOKIE, forgotten, kept_edit_key
from .calendar_edge import check_csrf, no_store, one_save_at_a_time
from ..calendars.form import form_region
from .calendar_page import page_lang
from ..calendars.rules import CalendarGone
from .calendars import save, store
from ..publish.calendar_edits import KEY as EDITS
from .params import Values, takes

my_calendar = Blueprint("my_calendar", __name__)
MOST_PICKS = 100        # a calendar holds as many (CALENDAR_MAX_SHOWS by default)


@my_calendar.post("/calendars/mine/shows")
@one_save_at_a_time
def add():
    """Add the show (on the platforms given, else its earliest) to this browser's calendar, or
    pick it for the calendar to come."""
    check_csrf()
    show, region, releases = _asked()
    found = _calendar()
    if found is None:
        picks = {**_picks(), show.id: releases}
        return _answer("picked", show, region, picks=picks)
    edit_key, stored = found
    home = country(stored.choices["region"])
    if home.code not in show.regions:
        raise ParameterError("show", f"{show.name()} cannot be watched in {home.name}, the "
                                     "region of your calendar: choose another show, or make a "
                                     "calendar for another region")
    here = {r.id for r in show.releases if r.watchable_in(home.code)}
    chosen = sorted(set(releases or ()) & here) or None
    shows = dict(stored.choices["shows"])
    # The undo puts back what was there: nothing, or the show on its platforms before.
    undo = ("remove", None) if show.id not in shows else ("add", shows[show.id] or [])
    if show.id not in shows or shows[show.id] != chosen:
        _save(edit_key, stored, {**shows, show.id: chosen})
    return _answer("added", show, home, shows=[*shows, show.id] if show.id not in shows
                   else list(shows), undo=undo)


@my_calendar.post("/calendars/mine/shows/remove")
@one_save_at_a_time
def remove():
    """Take the show out of this browser's calendar, or out of its picks."""
    check_csrf()
    show, region, _ = _asked()
    found = _calendar()
    if found is None:
        picks = {k: v for k, v in _picks().items() if k != show.id}
        return _answer("unpicked", show, region, picks=picks)
    edit_key, stored = found
    shows = {k: v for k, v in stored.choices["shows"].items() if k != show.id}
    undo = ("add", stored.choices["shows"].get(show.id) or [])
    if len(shows) != len(stored.choices["shows"]):
        _save(edit_key, stored, shows)
    return _answer("removed", show, country(stored.choices["region"]), shows=list(shows),
                   undo=undo)


@my_calendar.get("/calendars/mine")
@takes("show", "done", "region", "before", "lang", page=True)
def mine(args: Values):
    """What the button did, for a browser without script: the undo, the way back, and the
    calendar (or the picks and the form that opens with them). `lang` is the page's."""
    page_lang(args)
    catalogue = state.current().catalogue
    shows = args.all("show")
    show = catalogue.show(parse.show_id(shows[0], catalogue)) if shows else None
    region = parse.region(args.get("region")) if "region" in args else None
    found = _calendar()
    picks = _picks() if found is None else {}
    html = render_template(
        "calendar_mine.html", region=region, show=show, done=args.get("done"),
        before=args.get("before"), calendar=found is not None,
        edit_url=url_for("calendars.edit", edit_key=found[0]) if found else None,
        picks=[catalogue.shows[found] for s in picks if (found := catalogue.current_id(s))],
        new_url=_new_url(picks, region) if picks else None)
    # Its undo is a form: strict-origin lets browsers name this origin when they send it.
    return no_store(Response(html, content_type="text/html; charset=utf-8"),
                    referrer="strict-origin")


def _asked():
    """The show, the page's region and the platforms chosen on the page (None: earliest)."""
    catalogue = state.current().catalogue
    given = request.form.get("show", "").strip()
    if not given:
        raise ParameterError("show", "say which show to add (show=its id)")
    show = catalogue.show(parse.show_id(given[:250], catalogue))
    region = form_region(request.form.to_dict(flat=False), current_app.config["DEFAULT_REGION"])
    releases = [r for r in request.form.get("release", "").split(",")[:20] if r.strip()]
    return show, region, releases or None


def _calendar():
    """(edit key, stored calendar) this browser holds, or None (none, or deleted since)."""
    edit_key = kept_edit_key()
    if not edit_key:
        return None
    try:
        stored = store().by_edit_key(edit_key)
    except CalendarGone:
        return None
    return None if stored is None else (edit_key, stored)


def _save(edit_key, stored, shows) -> None:
    """The calendar with these shows, its other choices kept (the edit counts are made anew
    from the stored ones by `save`)."""
    save(edit_key, stored, {**{k: v for k, v in stored.choices.items() if k != EDITS},
                            "shows": shows})


def _picks() -> dict[str, list[str] | None]:
    """Shows picked before a calendar exists, in the order picked: `id` or `id:r1,r2`."""
    picks = {}
    for item in unquote(request.cookies.get(PICKS_COOKIE, "")).split()[:MOST_PICKS]:
        show_id, _, releases = item.partition(":")
        picks[show_id] = [r for r in releases.split(",") if r] or None
    return picks


def _new_url(picks: dict, region) -> str:
    return url_for("calendars.new", region=region.code.lower() if region else None,
                   show=list(picks), platform=[f"{s}:{r}" for s, rs in picks.items()
                                               for r in (rs or ())] or None)


def _answer(done: str, show, region, *, shows=None, picks=None, undo=None) -> Response:
    """JSON for the page's script (it asks for it), else a redirect to the page that says it.
    `undo` is (add or remove, the platforms to add back)."""
    title = show.title.get("en") or show.name()
    undo_release = ",".join(undo[1]) if undo and undo[1] else None
    if request.accept_mimetypes.best == "application/json":
        body = {"done": done, "show": show.id, "title": title, "calendar": shows is not None,
                "shows": shows or [], "picks": list(picks or ())}
        if undo:
            body["undo"] = {"action": undo[0], "release": undo_release}
        if picks:
            body["new_url"] = _new_url(picks, region)
        response = jsonify(body)
    else:
        # The undo of an add that changed the platform, or of a remove, adds back: say what.
        before = undo_release or ("earliest" if undo and undo[0] == "add" else None)
        response = redirect(url_for(".mine", show=show.id, done=done, region=region.code.lower(),
                                    before=before), code=303)
    if picks is not None:
        text = " ".join(s + (":" + ",".join(r) if r else "") for s, r in picks.items())
        response.set_cookie(PICKS_COOKIE, quote(text, safe=":,"), max_age=KEPT_SECONDS,
                            path=COOKIE_PATH, httponly=True, samesite="Lax",
                            secure=request.is_secure)
        if kept_edit_key():      # its calendar was deleted since
            forgotten(response)
    return no_store(response)


def init_app(app: Flask) -> None:
    app.register_blueprint(my_calendar)

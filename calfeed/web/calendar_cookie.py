"""What a browser keeps of its calendar (the edit key in a cookie), and where forms may come from."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, request

from ..query.errors import ParameterError

# The edit key of the calendar this browser made or opened last: the "+ My calendar" buttons
# add to it. HttpOnly (no script reads it), SameSite=Strict (no other site's request carries
# it) and scoped to /calendars, so it travels only with calfeed's own calendar requests and the
# key never stands in a URL that a log, a Referer or another site could see.
CALENDAR_COOKIE = "calfeed_calendar"
# Shows picked before a calendar exists: not secret, read to prefill the new form.
PICKS_COOKIE = "calfeed_picks"
COOKIE_PATH = "/calendars"
KEPT_SECONDS = 400 * 24 * 3600      # the longest browsers keep a cookie


def check_origin() -> None:
    """A form is accepted only from a page of this site: the browser says where it comes from
    (Fetch metadata, else Origin), and no other site, nor a page on another port of this host,
    can make it say otherwise. No token is needed, so the forms' pages are the same for every
    visitor and cached. A client that sends neither header must send Origin."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        if fetched_from == "same-origin":
            return
    else:
        origin = request.headers.get("Origin", "")
        host = urlsplit(request.host_url)
        if origin and origin != "null" and origin.rstrip("/") == f"{host.scheme}://{host.netloc}":
            return
    raise ParameterError("origin", "this form was sent from another site, or by a client that "
                                   "said where from neither in Sec-Fetch-Site nor in Origin: "
                                   "open calfeed's own page and send it from there", "refused")


def opened(response: Response, edit_key: str, *, made: bool = False) -> Response:
    """This browser now holds the calendar: keep its key. One just made holds the picks made
    before it (the form opened with them ticked): forget them."""
    response.set_cookie(CALENDAR_COOKIE, edit_key, max_age=KEPT_SECONDS, path=COOKIE_PATH,
                        httponly=True, samesite="Strict", secure=request.is_secure)
    if made and PICKS_COOKIE in request.cookies:
        response.delete_cookie(PICKS_COOKIE, path=COOKIE_PATH)
    return response


def forgotten(response: Response) -> Response:
    """The calendar was deleted: this browser holds none now."""
    response.delete_cookie(CALENDAR_COOKIE, path=COOKIE_PATH, httponly=True, samesite="Strict",
                           secure=request.is_secure)
    return response


def no_store(response: Response) -> Response:
    # The edit key is in these URLs or cookies: keep them out of caches and of other sites'
    # Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

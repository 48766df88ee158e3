"""What a browser keeps of its calendar: the edit key in a cookie, and the shows picked before one."""

from __future__ import annotations

from flask import Response, request

# The edit key of the calendar this browser made or opened last: the "+ My calendar" buttons
# add to it. HttpOnly (no script reads it), SameSite=Strict (no other site's request carries
# it) and scoped to /calendars over HTTP, so it travels only with calfeed's own calendar
# requests and the key never stands in a URL that a log, a Referer or another site could see.
# Over HTTPS it has the __Host- prefix: browsers then take it only from this host over HTTPS
# for the whole site (Path=/), so no sibling host or plain-HTTP page can plant another key.
CALENDAR_COOKIE = "calfeed_calendar"
# Shows picked before a calendar exists: not secret, read to prefill the new form.
PICKS_COOKIE = "calfeed_picks"
COOKIE_PATH = "/calendars"
KEPT_SECONDS = 400 * 24 * 3600      # the longest browsers keep a cookie


def calendar_cookie() -> tuple[str, str]:
    """The edit key cookie's name and path, for this request's scheme."""
    return (f"__Host-{CALENDAR_COOKIE}", "/") if request.is_secure else \
        (CALENDAR_COOKIE, COOKIE_PATH)


def kept_edit_key() -> str | None:
    return request.cookies.get(calendar_cookie()[0])


def opened(response: Response, edit_key: str, *, made: bool = False) -> Response:
    """This browser now holds the calendar: keep its key. One just made holds the picks made
    before it (the form opened with them ticked): forget them."""
    name, path = calendar_cookie()
    response.set_cookie(name, edit_key, max_age=KEPT_SECONDS, path=path, httponly=True,
                        samesite="Strict", secure=request.is_secure)
    if made and PICKS_COOKIE in request.cookies:
        response.delete_cookie(PICKS_COOKIE, path=COOKIE_PATH)
    return response


def forgotten(response: Response) -> Response:
    """The calendar was deleted: this browser holds none now."""
    name, path = calendar_cookie()
    response.delete_cookie(name, path=path, httponly=True, samesite="Strict",
                           secure=request.is_secure)
    return response

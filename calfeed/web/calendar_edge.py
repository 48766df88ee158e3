"""The calendars' edge: bodies capped, forms only from this origin, one at a time, their errors
as HTTP (410, 429, 413, 503 with Retry-After)."""

from __future__ import annotations

import functools
import io
import threading

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..query.parameter_error import ParameterError
from ..suggest import quoted
from ..calendars.rules import CalendarGone, LimitReached
from . import state
from .responses import problem
from ..calendars.faults import Unavailable

IMPORT_PATH = "/calendars/import"
PERSONAL_FEEDS = "/feeds/my/"


def one_save_at_a_time(view):
    """At most one form (create, edit, delete, list) worked on at a time in a worker; another
    is a 503 (Retry-After: 1) at once. Saves take turns on the file's write lock anyway, and the
    worker's other thread stays free for feeds: a 50-connection create flood took feeds from
    18,098 to 871 req/s when every thread was parsing a form."""
    @functools.wraps(view)
    def gated(*args, **kwargs):
        gate: threading.Lock = state.service().saving
        if not gate.acquire(blocking=False):
            raise Unavailable("personal calendars are busy with other saves: send the form "
                              "again in a second", 1)
        try:
            return view(*args, **kwargs)
        finally:
            gate.release()
    return gated


def check_csrf() -> None:
    """A form is taken only from a page of this origin, as the browser names it: not merely
    this site, since a page on another port of the same host is same-site. Sec-Fetch-Site,
    which pages cannot set, decides where sent; else Origin (the form pages' referrer policy,
    strict-origin, lets browsers send it: under no-referrer they send 'null'). No token: the
    form pages are then the same for every visitor, cached, and set no cookie (a token made
    the Japan form uncacheable, with a cookie on every anonymous GET). A client naming
    neither is refused: it must send Origin."""
    origin, fetched = request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
    # The body is parsed, within its cap, before anything is done, even by a route that reads
    # none of it (a delete): a body past the limit is a 413, never a deletion.
    request.get_data(cache=True, parse_form_data=True)
    if fetched == "same-origin" or (fetched is None and origin is not None and
                                    origin.lower() == request.host_url.rstrip("/").lower()):
        return
    raise ParameterError("csrf_token", "this form was sent from another site "
                                       f"({quoted(origin or fetched or 'no Origin')}): open "
                                       f"{request.host_url}calendars/new and send it from "
                                       "there", "refused")


def no_store(response: Response, referrer: str = "no-referrer") -> Response:
    """The edit key is in these URLs: keep them out of caches and of every Referer. A page
    holding a form takes `strict-origin` (the origin alone, never the path), under which
    browsers still name this origin in the form's Origin header."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = referrer
    return response


def chunked(environ: dict) -> bool:
    # Without Transfer-Encoding or Content-Length a request has no body (RFC 9112 6.3): it is
    # not read, as a server that hands over the socket would wait on it.
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


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


def init_edge(app: Flask) -> None:
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

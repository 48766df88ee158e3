"""HTTP responses shared by every view: cacheable bodies with validators, and errors in one shape.

Errors are translated here, at the edge: domain errors (ValueError subclasses) become 4xx,
anything unexpected a 5xx with a body. API routes answer JSON in one shape; the rest, which
calendar clients and people read, one line of text/plain.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import NotFound
from ..query.parameter_error import ParameterError
from ..query.values import unknown_region_message
from ..schedule.regions import UnknownRegion

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
MAX_MESSAGE = 2000      # characters of an error message
FEEDS_PREFIX = "/feeds/"


def cacheable(body: bytes, content_type: str, *, max_age: int,
              last_modified: datetime | None) -> Response:
    """A response with a strong ETag of the exact bytes, answering 304 to a matching request."""
    response = Response(body, content_type=content_type)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    # Shared caches (nginx, a CDN) check back sooner than calendar apps, so a schedule change
    # reaches them within a minute; revalidating costs the app a 304.
    shared = current_app.config["SHARED_MAX_AGE_SECONDS"]
    if shared < max_age:
        response.cache_control.s_maxage = shared
    if request.path.startswith(API_PREFIX):
        # Public data, read by widgets on other sites.
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def problem(status: int, code: str, message: str, parameter: str | None = None,
            headers: dict | None = None) -> Response:
    """An error response: JSON `{"error": {...}}` under /api/, one line of text for feeds
    (read by calendar apps and curl), an HTML page for people elsewhere."""
    if len(message) > MAX_MESSAGE:
        # Messages quote inputs by a bounded prefix (suggest.quoted); this is the backstop.
        message = message[:MAX_MESSAGE] + "…"
    if request.path.startswith(API_PREFIX):
        error = {"status": status, "code": code}
        if parameter is not None:
            error["parameter"] = parameter
        error["message"] = message
        response = Response(json.dumps({"error": error}, ensure_ascii=False) + "\n",
                            status=status, content_type="application/json")
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif request.path.startswith(FEEDS_PREFIX) or request.method == "HEAD":
        response = Response(_printable(message) + "\n", status=status,
                            content_type="text/plain; charset=utf-8")
    else:
        response = Response(render_template("error.html", status=status, message=message),
                            status=status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _printable(text: str) -> str:
    """Control characters from the URL escaped (\\x00), so a text error is one harmless line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def status_of(error: ParameterError) -> tuple[int, str]:
    """The one place a parameter error gets its HTTP status and code. A name of nothing that
    exists is a 404 in a URL, but a 400 in a submitted form: the form's address exists."""
    if error.kind == "refused":
        return 403, "forbidden"
    if error.kind == "not_found" and request.method in ("GET", "HEAD"):
        return 404, "not_found"
    return 400, "invalid_parameter"


MAX_PATH = 1024
MAX_QUERY = 2048


def _refuse_oversized_requests():
    """No calfeed URL needs more: longer ones are refused before any work is done."""
    if len(request.path) > MAX_PATH:
        return problem(414, "bad_request", f"the path is {len(request.path)} characters long, "
                                           f"over the limit of {MAX_PATH}")
    query = request.query_string
    if len(query) > MAX_QUERY:
        return problem(414, "bad_request", f"the query string is {len(query)} bytes long, over "
                                           f"the limit of {MAX_QUERY}")
    return None


def _options_for_the_api_only():
    """OPTIONS is a CORS preflight, and only the API is read from other sites: elsewhere it is
    a 405 naming the route's own methods (Flask answered 200 everywhere, and /calendars/new
    claimed POST, the edit route's method)."""
    if request.method != "OPTIONS" or request.path.startswith(API_PREFIX) or \
            request.url_rule is None:
        return None
    allowed = ", ".join(sorted((request.url_rule.methods or set()) - {"OPTIONS"}))
    return problem(405, "method_not_allowed", f"OPTIONS is not answered here (it is for the "
                                              f"API's cross-origin requests): use {allowed}",
                   headers={"Allow": allowed})


def _cross_origin(response: Response) -> Response:
    """The API is public: any site's script may read it, its validators and conditionals."""
    if request.path.startswith(API_PREFIX):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def refuse_bodies_on_reads(wsgi_app):
    """A WSGI layer in front of the response cache: a GET or HEAD that carries a body is a 413,
    as docs/security.md promises, whether or not its URL has a cached answer. (Werkzeug reads
    no body for these methods, so MAX_CONTENT_LENGTH alone never refused one.)"""
    def refuse(environ, start_response):
        carries_body = (environ.get("CONTENT_LENGTH") not in (None, "", "0")
                        or "HTTP_TRANSFER_ENCODING" in environ)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not carries_body:
            return wsgi_app(environ, start_response)
        message = f"{environ['REQUEST_METHOD']} takes no request body: send the request without one"
        if environ.get("PATH_INFO", "").startswith(API_PREFIX):
            body = json.dumps({"error": {"status": 413, "code": "bad_request",
                                         "message": message}}) + "\n"
            headers = [("Content-Type", "application/json"),
                       ("Access-Control-Allow-Origin", "*")]
        else:
            body, headers = message + "\n", [("Content-Type", "text/plain; charset=utf-8")]
        data = body.encode()
        start_response("413 Content Too Large", [*headers, ("Cache-Control", "no-store"),
                                                 ("Content-Length", str(len(data))),
                                                 ("Connection", "close")])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [data]
    return refuse


def init_app(app: Flask) -> None:
    app.before_request(_refuse_oversized_requests)
    app.before_request(_options_for_the_api_only)
    app.after_request(_cross_origin)

    @app.errorhandler(ParameterError)
    def bad_parameter(error: ParameterError):
        status, code = status_of(error)
        return problem(status, code, error.message, parameter=error.parameter)

    @app.errorhandler(UnknownRegion)
    def unknown_region(error: UnknownRegion):
        return problem(404, "not_found", unknown_region_message(error))

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return problem(404, "not_found", error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            return server_error(error)
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.code, "bad_request")
        message = {404: f"nothing at {request.path[:MAX_PATH]}",
                   405: f"{request.method} is not allowed here: use GET"}.get(
            error.code, error.description or error.name)
        # Keep Allow on a 405, as HTTP asks.
        headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
        return problem(error.code or 400, code, message, headers=headers)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        # Never an empty 200: Thunderbird deletes every event of a feed that answers one.
        log.exception("failed to answer %s %s", request.method, request.path)
        return problem(500, "internal_error",
                       "calfeed could not build this response; please try again later")

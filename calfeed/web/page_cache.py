"""Pages in the whole-response cache: a decorator says what besides its URL a page depends on.

A page depends on the data version, its URL and, when the URL names no region (no lang), the
region (the language of its names) the browser's Accept-Language picks. The key holds those
choices, never the header itself: browsers send thousands of distinct Accept-Language values
that pick a few dozen regions and a couple of languages. A
page whose bytes come to depend on anything else of the request (another header, a cookie)
must say so in its variant, or not be marked.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import parse_qs

from flask import Flask
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from ..i18n import SOURCE_LANGUAGE, translated_languages
from ..schedule.regions import region_from_languages
from .response_cache import SKIP, feeds_and_api

# The attribute a marked view carries: its variant function.
VARIANT = "calfeed_response_variant"
# A view's variant function answers from the WSGI environ and the app's settings.
Variant = Callable[[dict, dict], object]


def url_only(environ, config) -> object:
    """The page depends on its URL (path and query) alone."""
    return None


def chosen_region(environ, config) -> object:
    """For pages whose region is ?region= and whose names' language is ?lang=, each else
    chosen from Accept-Language: what the header chose of the two the query does not name."""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    header = environ.get("HTTP_ACCEPT_LANGUAGE")
    # As a page reads its parameters (query/declare.py, page=True): a blank value is none.
    region = None if _named(query, "region") else \
        accepted_region(header, config["DEFAULT_REGION"])
    language = None if _named(query, "lang") else accepted_language(header)
    return None if region is None and language is None else (region, language)


def _named(query: dict, name: str) -> bool:
    return any(text.strip() for text in query.get(name, ()))


def accepted_region(accept_language: str | None, default: str) -> str:
    """The region code a browser's Accept-Language picks, else `default`: one function for the
    page and its cache key, so that the two never disagree."""
    tags = [tag for tag, _ in parse_accept_header(accept_language, LanguageAccept)]
    return region_from_languages(tags) or default.upper()


def accepted_language(accept_language: str | None) -> str:
    """The language calfeed's names on a page take for a browser's Accept-Language: the first
    tag, by preference, whose language calfeed has translations for (ja-JP is ja), else
    English. One function for the page and its cache key."""
    known = {code.lower(): code for code in translated_languages()}
    for tag, _ in parse_accept_header(accept_language, LanguageAccept):
        found = known.get(tag.replace("_", "-").lower()) or \
            known.get(tag.replace("_", "-").split("-")[0].lower())
        if found:
            return found
    return SOURCE_LANGUAGE


def whole_response(variant: Variant = url_only):
    """Mark a page view whose answer depends only on the data version, its URL and
    `variant(environ, config)`: the response cache keeps its 200s like a feed's.

        @views.get("/week")
        @whole_response(chosen_region)
        def week(): ...
    """
    def mark(view):
        setattr(view, VARIANT, variant)
        return view
    return mark


def cache_variant(app: Flask) -> Callable[[dict], object]:
    """The response cache's `variant` for this app: feeds and the API by prefix, pages by the
    mark on the view their URL routes to; SKIP for the rest."""
    def variant(environ):
        found = feeds_and_api(environ)
        if found is not SKIP:
            return found
        try:
            endpoint, _ = app.url_map.bind_to_environ(environ).match(method="GET")
        except HTTPException:       # not found, a redirect, another method: Flask answers
            return SKIP
        marked = getattr(app.view_functions.get(endpoint), VARIANT, None)
        return SKIP if marked is None else ("page", marked(environ, app.config))
    return variant

"""What every page shares: the region it is for, the language of its names, the region picker,
the page response, the footer's credit and the headers of every answer."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from . import page_words, state
from ..i18n import translated_languages
from ..query import values as parse
from ..query.declare import Values
from ..render.attribution import attribution
from ..render.data_end import footer_line
from ..schedule.regions import Country, countries, country
from .page_cache import accepted_language, accepted_region
from .page_words import page_language
from .responses import cacheable

# Pages load only their own stylesheet and script; the QR codes are inline SVG markup.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")


def page(html: str) -> Response:
    """A page with an ETag. No Last-Modified: what has aired changes with the clock, not only
    with the data. The region defaults from Accept-Language, so shared caches keep one per
    language (named even with ?region=: over-varying is never wrong). calfeed's own cache keys
    on the region chosen instead (page_cache.py)."""
    response = cacheable(html.encode(), "text/html; charset=utf-8",
                         max_age=current_app.config["PAGE_MAX_AGE_SECONDS"], last_modified=None)
    response.vary.add("Accept-Language")
    return response


def page_region(args: Values) -> Country:
    """?region=, else the browser's language tags (Accept-Language), else the default."""
    if "region" in args:
        return parse.region(args.get("region"))
    # The same function keys the page in the response cache (page_cache.chosen_region).
    return country(accepted_region(request.headers.get("Accept-Language"),
                                   current_app.config["DEFAULT_REGION"]))


def names_language(args: Values) -> str:
    """The language of the names a page writes (the region picker's): ?lang=, one calfeed has
    words for, else the browser's first such (Accept-Language), else English. The show page,
    whose lang is its titles', asks page_words.page_language instead."""
    if "lang" in args:
        return parse.lang(args.get("lang"), translated_languages(), "calfeed's pages")
    return accepted_language(request.headers.get("Accept-Language"))


def picker(args: Values, names: str | None = None) -> dict:
    """What the region picker of a page needs: the regions named and ordered in the page's
    language, and ?lang= kept when the picker is sent."""
    names = names or names_language(args)
    return {"regions": region_choices(names), "region_names": names,
            "kept_lang": {"lang": args.get("lang")} if "lang" in args else {}}


def region_choices(lang: str = "en") -> list[Country]:
    """Every country, ordered by its name in `lang` (code points: kana in gojūon order)."""
    return sorted(countries().values(), key=lambda c: c.name_in(lang))


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


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
    return published.beside("attribution", lambda: attribution(published.catalogue.shows.values()))


def init_app(app: Flask) -> None:
    # Made before a version is served (every page's footer needs it): the first page of a
    # start waited some 80 ms for it over the imported catalogue.
    state.service(app).prepare_with(_attribution)
    page_words.init_app(app)
    app.context_processor(_credit)
    app.after_request(_security_headers)

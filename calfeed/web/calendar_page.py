"""The my-calendar form as a page: the choices it shows, what it lists, its filter and subscribe panel."""

from __future__ import annotations

from flask import Flask, current_app, render_template, url_for

from . import state
from ..i18n import translated_languages
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..index.catalogue_indexes import indexes
from ..render.feed_text import my_feed_header
from ..render.form_list import FormList, form_list
from ..render.page_text import alarm_choices
from ..index.search import MAX_QUERY
from ..render.subscribe import subscribe_links
from ..schedule.regions import country, countries
from ..calendars.form import check_size, choose_releases
from .page_cache import accepted_region
from .page_words import page_language
from .params import Values
from .pages import region_choices

# What the form's pages take: the form's own fields (a filter without script sends them all).
# The edit page's form also sends the generation it was loaded at (read only by its POST).
FORM_ARGS = ("region", "show", "platform", "lang", "alarm", "q")


def asked_choices(args: Values, region) -> dict:
    """Choices named in a page's query: the pages' "+" links, the picks, the filter's round
    trip. Shows are ticked whatever the region (the form's submit says which cannot be
    watched there); their platforms are checked as the form's are."""
    catalogue = state.current().catalogue
    lists = {"show": list(args.all("show")), "platform": list(args.all("platform"))}
    check_size(lists, current_app.config["CALENDAR_MAX_SHOWS"])
    # As every route takes a show: any case, an old id or its stable key.
    shows = {parse.show_id(given, catalogue): None for given in lists["show"]}
    choose_releases(lists["platform"], shows, catalogue, region)
    lang = parse.lang(args.get("lang"), translated_languages(), "the form's titles") \
        if "lang" in args else page_titles()
    return {"region": region.code, "lang": None if lang == "en" else lang,
            "alarms": list(parse.alarms(args.get("alarm"))) if "alarm" in args else [],
            "shows": {s: sorted(r) if r else None for s, r in shows.items()}}


def page_titles() -> str | None:
    """The language of titles a form opened without `?lang=` starts with: the page's, so a
    calendar made from a Japanese page has Japanese titles and a Japanese name (its feed's
    words and name follow its titles' language); None for English."""
    lang = page_language()
    return None if lang == "en" else lang


def page_lang(args: Values) -> None:
    """A page's ?lang= checked as every page checks it: a language calfeed has words for."""
    if "lang" in args:
        parse.lang(args.get("lang"), translated_languages(), "calfeed's pages")


def listed(region, chosen, query: str) -> FormList:
    """What the form lists for these choices and filter (an empty filter: none)."""
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise ParameterError("q", f"q is {len(query)} characters long: give at most "
                                  f"{MAX_QUERY}, a part of a title is enough")
    published = state.current()
    hits = indexes(published, state.service().readings).search.get().search(query) \
        if query else None
    return form_list(published, region, state.now(), chosen, query, hits)


def form_html(template: str, choices: dict, query: str, **extra) -> str:
    region_code = choices["region"] if choices["region"] in countries() else \
        current_app.config["DEFAULT_REGION"]
    region = country(region_code)
    # Regions and reminders in the page's words, so that a line is one language; the feed's
    # name (and so its Outlook.com link) is in the calendar's language of titles, as the feed.
    words = page_language()
    links = None
    if "stored" in extra:
        feed = url_for("calendars.feed", feed_id=extra["stored"].feed_id, _external=True)
        links = subscribe_links(feed, my_feed_header(region, len(choices["shows"]),
                                                     choices.get("lang"))[0], words)
    return render_template(
        template, region=region, regions=region_choices(words), region_names=words,
        listed=listed(region, choices["shows"], query), choices=choices,
        alarm_choices=alarm_choices(words), links=links, **extra)


def prepare_form_lists(app: Flask) -> None:
    """What the form lists without a filter (the shows on air in its region) made beside the
    first requests of a start and before each new data version is served, for the regions a
    browser's language opens it on (ja: Japan) and the default: Japan's took the first form
    a tenth of a second, its 8,481 shows' bounds asked. Other regions have fewer shows."""
    regions = {accepted_region(lang, app.config["DEFAULT_REGION"])
               for lang in translated_languages()} | {app.config["DEFAULT_REGION"].upper()}

    service = state.service(app)

    def lists(published) -> None:
        now = service.clock()
        for code in sorted(regions):
            form_list(published, country(code), now, (), "", None)
    service.prepare_with(lists, at_start_beside=True)

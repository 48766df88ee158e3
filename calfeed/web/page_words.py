"""The language of a page's words, and the templates' gettext callables that write in it."""

from __future__ import annotations

from flask import Flask, g, request

from ..i18n import release_name, translated_languages, translations, words_language
from ..render import page_text
from ..schedule.regions import territory_names
from .page_cache import accepted_language


def page_language() -> str:
    """The language of the page's words and names: ?lang= when calfeed has words for it (on a
    show page, whose lang is its titles', a language without translations keeps English), else
    the browser's first such (Accept-Language), else English. The same choice keys the page
    in the response cache (page_cache.chosen_region), so the two never disagree."""
    if "calfeed_page_language" not in g:
        lang = request.args.get("lang", "").strip()
        g.calfeed_page_language = words_language(lang) if lang else \
            accepted_language(request.headers.get("Accept-Language"))
    return g.calfeed_page_language


def page_messages():
    """The translations of the page's language (English as written when it is English)."""
    return translations(page_language())


def _gettext(message: str) -> str:
    return page_messages().gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return page_messages().ngettext(singular, plural, count)


def _pgettext(context: str, message: str) -> str:
    return page_messages().pgettext(context, message)


def script_words() -> dict[str, str]:
    """The words static/calfeed.js writes, in the page's language, with {name} or %(name)s
    placeholders the script fills: the script has no words of its own."""
    messages = page_messages()
    _ = messages.gettext
    return {
        "zone": _("Times in your time zone, {zone}."),
        "copied": _("Copied"), "copy_failed": _("Select the address and copy it"),
        "days": _("in {days} d {hours} h"), "hours": _("in {hours} h {minutes} min"),
        "minutes": _("in {minutes} min"), "on_now": _("on now"), "aired": _("aired"),
        "from": _(" (from {time})"), "until": _(" (until {time})"),
        # The search results' words, as _search_results.html writes them (%(name)s).
        "none": _("No show matches “%(query)s”."),
        "none_here": _("No show matches “%(query)s” on this platform."),
        "some": _("%(shown)s of %(total)s shows match “%(query)s”: type more of the title to "
                  "narrow them."),
        "one": messages.ngettext("%(num)s show matches “%(query)s”.",
                                 "%(num)s shows match “%(query)s”.", 1),
        "many": messages.ngettext("%(num)s show matches “%(query)s”.",
                                  "%(num)s shows match “%(query)s”.", 2),
        "elsewhere": _("not watchable in %(region)s"),
        # The "+ My calendar" buttons (my-calendar.js), as _add_button.html words them.
        "my_calendar": _("My calendar"), "add_label": _("Add %(title)s to my calendar"),
        "in_calendar": _("In my calendar"),
        "in_label": _("%(title)s is in my calendar: remove it"),
        "picked": _("Picked"), "picked_label": _("%(title)s is picked for my calendar: unpick it"),
        "added": _("Added to My calendar"), "removed": _("Removed from My calendar"),
        "picked_for": _("Picked for your calendar"), "unpicked": _("No longer picked"),
        "make_one": messages.ngettext("Make my calendar (%(num)s show)",
                                      "Make my calendar (%(num)s shows)", 1),
        "make_many": messages.ngettext("Make my calendar (%(num)s show)",
                                       "Make my calendar (%(num)s shows)", 2),
        "undo": _("Undo"), "change_calendar": _("change my calendar"),
        "nothing_mine": _("Nothing from your calendar this day."),
        # The calendar form's filter and platform menus, as _calendar_form.html words them.
        "where_label": _("Where to watch %(title)s"), "earliest": _("Earliest"),
        "no_match": _("No other show watchable in %(region)s matches “%(query)s”"),
        "some_match": _("%(shown)s of %(total)s shows matching “%(query)s”: type more to "
                        "narrow them"),
        "matching": _("Matching “%(query)s”"),
    }


def init_app(app: Flask) -> None:
    """Templates say `{{ _("…") }}` and `{% trans %}` (newstyle: placeholders are checked,
    output escaped); `place(region)` names a country in the page's language, `page_language()`
    is it (for `<html lang>`); seasons, days and the releases calfeed names (`release_name`) are
    written in it too."""
    # Each catalogue compiled and its country names read at start, not by the first page in
    # its language (a tenth of a second for Japanese: the .po read and compiled, CLDR's names).
    for lang in translated_languages():
        translations(lang)
        territory_names(lang)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(_gettext, _ngettext, newstyle=True,
                                            pgettext=_pgettext)
    app.jinja_env.globals.update(
        page_language=page_language, place=_place, script_words=script_words,
        release_name=lambda name: release_name(name, page_messages()),
        season_label=lambda season: page_text.season_label(season, page_language()),
        season_name=lambda season: page_text.season_name(season, page_language()),
        season_months=lambda season: page_text.season_months(season, page_language()),
        day_heading=lambda day: page_text.day_heading(day, page_language()),
        long_date=lambda day, weekday=True: page_text.long_date(day, page_language(), weekday))


def _place(region) -> str:
    """A country's name in the page's language (the English one as the data spells it)."""
    lang = page_language()
    return region.name if lang == "en" else region.name_in(lang)

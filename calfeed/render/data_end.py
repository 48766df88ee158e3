"""How current the imported data is, in words: the footer's line, and why a window is empty.

An empty week, season or feed after the imported dataset's date is most likely empty because
the data ends there, not because nothing airs: saying so keeps a reader (or a subscriber)
from taking "nothing" for a fact about the world.
"""

from __future__ import annotations

from datetime import datetime

from ..i18n import SOURCE_LANGUAGE, translations, words_language
from ..publish.published import Published


def data_date(published: Published | None) -> datetime | None:
    """The imported data's date (its version's publication, else its newest start)."""
    imported = published.catalogue.imported_from if published else None
    return imported.dated if imported else None


def footer_line(published: Published | None, lang: str | None = None) -> str | None:
    """'Schedule data: bangumi-data 0.3.208, 15 May 2026'; None without imported data."""
    imported = published.catalogue.imported_from if published else None
    if imported is None:
        return None
    dated = imported.dated
    if words_language(lang) != SOURCE_LANGUAGE:
        from babel.dates import format_date     # CLDR's long date: 2026年5月15日
        when = format_date(dated, "long", locale=words_language(lang)) if dated else None
        _ = translations(lang).gettext
        return (_("Schedule data: {version}, {date}").format(version=imported.version, date=when)
                if when else _("Schedule data: {version}").format(version=imported.version))
    return f"Schedule data: {imported.version}" + (
        f", {dated.day} {dated:%B %Y}" if dated else "")


def ended_before(published: Published | None, start: datetime,
                 lang: str | None = None) -> str | None:
    """Why a window starting at `start` that holds nothing is empty, when the data ends
    before it ('The schedule data ends in May 2026; …'), in the words of `lang`'s translations;
    None when it does not."""
    dated = data_date(published)
    if dated is None or start <= dated:
        return None
    _ = translations(lang).gettext
    # English month names in English words; elsewhere the number, which every reader reads.
    month = f"{dated:%B %Y}" if words_language(lang) == SOURCE_LANGUAGE else f"{dated:%Y-%m}"
    return _("The schedule data ends in {month}; shows announced since then appear once "
             "calfeed serves a newer version of {dataset}.").format(
        month=month, dataset=published.catalogue.imported_from.version)

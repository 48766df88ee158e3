"""Words and dates the pages write from Python, in the page's language: translations and CLDR."""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..i18n import SOURCE_LANGUAGE, translations, words_language

# Reminders the pages offer, all within the feeds' alarm rule (0 to 10080 minutes).
ALARM_MINUTES = ("", "5", "10", "15", "30", "60", "1440")


def _english(lang: str | None) -> bool:
    return words_language(lang) == SOURCE_LANGUAGE


def _date(day: date, lang: str | None, skeleton: str) -> str:
    """A date as CLDR writes it in the language, from a skeleton (the fields wanted: yMMMEd),
    so each language's order and marks are its own (2026年12月7日(月))."""
    from babel.dates import format_skeleton
    return format_skeleton(skeleton, day, locale=words_language(lang).replace("-", "_"))


def local_text(moment: datetime, zone: ZoneInfo, lang: str | None = None) -> str:
    """'Wednesday, January 10, 2024, 13:25 EST' (2024年1月10日(水) 13:25 JST): the server's
    rendering, before any script. The zone's abbreviation is the tz database's in any language."""
    local = moment.astimezone(zone)
    if _english(lang):
        return f"{local:%A}, {local:%B} {local.day}, {local.year}, {local:%H:%M} {local:%Z}"
    return f"{_date(local.date(), lang, 'yMMMEd')} {local:%H:%M} {local:%Z}"


def day_text(day: date, lang: str | None = None) -> str:
    """'Saturday, April 4, 2026 · time not announced': a dated airing, never given a time."""
    not_announced = translations(lang).gettext("time not announced")
    if _english(lang):
        return f"{day:%A}, {day:%B} {day.day}, {day.year} · {not_announced}"
    return f"{_date(day, lang, 'yMMMEd')} · {not_announced}"


def day_heading(day: date, lang: str | None = None) -> str:
    """'Monday, December 7' (12月7日月曜日): a day of the week page."""
    if _english(lang):
        return f"{day:%A}, {day:%B} {day.day}"
    return _date(day, lang, "MMMdEEEE")


def long_date(day: date, lang: str | None = None, weekday: bool = True) -> str:
    """'Monday, December 7, 2026' (2026年12月7日月曜日); without the weekday, 'December 7,
    2026' (2026年12月7日)."""
    if _english(lang):
        return (f"{day:%A}, " if weekday else "") + f"{day:%B} {day.day}, {day.year}"
    return _date(day, lang, "yMMMdEEEE" if weekday else "yMMMd")


def weekday_short(day: date, lang: str | None = None) -> str:
    """'Wed' (水): a broadcast listing's day."""
    return f"{day:%a}" if _english(lang) else _date(day, lang, "EEE")


def countdown(start: datetime, now: datetime, lang: str | None = None) -> str:
    """'in 3 h 20 min', 'in 2 d 4 h', 'in 45 min': whole minutes, rounded up, so an airing
    never reads 'in 0 min' before it starts. static/calfeed.js says the same in the browser,
    with these messages, which the page gives it."""
    _ = translations(lang).gettext
    minutes = max(1, math.ceil((start - now).total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("in {days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("in {hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return _("in {minutes} min").format(minutes=minutes)


def season_label(season, lang: str | None = None) -> str:
    """'Winter 2024' (2024年冬)."""
    _ = translations(lang).gettext
    return (_("Winter {year}"), _("Spring {year}"), _("Summer {year}"),
            _("Fall {year}"))[season.quarter].format(year=season.year)


def season_name(season, lang: str | None = None) -> str:
    """'Winter' (冬): a season within its year's row."""
    _ = translations(lang).gettext
    return (_("Winter"), _("Spring"), _("Summer"), _("Fall"))[season.quarter]


def season_months(season, lang: str | None = None) -> str:
    """'January to March 2024' (2024年1月〜3月): the months a season spans."""
    _ = translations(lang).gettext
    return (_("January to March {year}"), _("April to June {year}"),
            _("July to September {year}"),
            _("October to December {year}"))[season.quarter].format(year=season.year)


def alarm_label(minutes: str, lang: str | None = None) -> str:
    """'No reminder', '10 minutes before', '1 hour before', '1 day before'."""
    messages = translations(lang)
    if not minutes:
        return messages.gettext("No reminder")
    count = int(minutes)
    if count and count % 1440 == 0:
        return messages.ngettext("{count} day before", "{count} days before",
                                 count // 1440).format(count=count // 1440)
    if count and count % 60 == 0:
        return messages.ngettext("{count} hour before", "{count} hours before",
                                 count // 60).format(count=count // 60)
    return messages.ngettext("{count} minute before", "{count} minutes before",
                             count).format(count=count)


def alarm_choices(lang: str | None = None) -> tuple[tuple[str, str], ...]:
    return tuple((value, alarm_label(value, lang)) for value in ALARM_MINUTES)

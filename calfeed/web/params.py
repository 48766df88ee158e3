"""Query parameters of feed URLs, parsed strictly: anything invalid names its parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo

from ..schedule.fields import advise, did_you_mean
from ..schedule.zones import UnknownZone, lookup_zone

FEED_PARAMETERS = ("lang", "alarm", "release", "releases", "tz", "all_day", "past_days")
MAX_ALARM_MINUTES = 10080   # one week
MAX_ALARMS = 5
MAX_PAST_DAYS = 36500
_DIGITS = re.compile(r"[0-9]{1,9}")


class ParameterError(ValueError):
    """A query parameter that cannot be honoured; `parameter` names it.

    `status` is 404 when the value names something that does not exist (a region or show),
    400 when the value itself is wrong.
    """

    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FeedQuery:
    """What a feed URL asks for beyond its path."""

    lang: str | None = None
    alarms: tuple[int, ...] = ()
    release_ids: frozenset[str] | None = None
    all_releases: bool = False
    all_day_zone: ZoneInfo | None = None
    past_days: int | None = None


def single_values(pairs: Iterable[tuple[str, list[str]]], allowed: tuple[str, ...], *,
                  allow_empty: bool = False) -> dict[str, str]:
    """One value per known parameter; unknown, repeated and empty parameters are refused.

    Pages pass allow_empty: an HTML form sends an empty value for a choice like "No reminder",
    and an empty value there means the parameter is not given.
    """
    values = {}
    for name, given in pairs:
        if name not in allowed:
            raise ParameterError(name, advise(f"unknown parameter '{name}'"
                                              f"{did_you_mean(name, allowed)}",
                                              f"this URL takes {', '.join(allowed)}"))
        if len(given) != 1:
            raise ParameterError(name, f"parameter '{name}' is given {len(given)} times: give it "
                                       "once (lists are comma-separated)")
        if not given[0].strip() and allow_empty:
            continue
        if not given[0].strip():
            raise ParameterError(name, f"parameter '{name}' is empty: give a value or leave it "
                                       "out")
        values[name] = given[0].strip()
    return values


def parse_feed_query(values: dict[str, str], *, languages: Iterable[str],
                     default_zone: str | None) -> FeedQuery:
    """A FeedQuery from single values; releases are checked later, against the shows."""
    query: dict = {}
    if "lang" in values:
        query["lang"] = choose_language(values["lang"], languages, "these titles")
    if "alarm" in values:
        query["alarms"] = _alarms(values["alarm"])
    if "release" in values:
        ids = [part.strip() for part in values["release"].split(",")]
        if not all(ids):
            raise ParameterError("release", "release has an empty item: give release ids "
                                            "separated by commas, like crunchyroll,fod")
        query["release_ids"] = frozenset(ids)
    if "releases" in values:
        if values["releases"] != "all":
            raise ParameterError("releases", f"releases '{values['releases']}' is not valid: the "
                                             "only value is 'all' (one event per release)")
        query["all_releases"] = True
    all_day = _flag(values, "all_day")
    if "tz" in values and not all_day:
        raise ParameterError("tz", "tz only applies to all-day events: add all_day=1, or leave "
                                   "tz out (event times are exact instants, shown in your "
                                   "calendar's own zone)")
    if all_day:
        zone_name = values.get("tz", default_zone)
        if zone_name is None:
            raise ParameterError("tz", "all_day=1 needs tz, an IANA zone such as Asia/Tokyo, "
                                       "for the date of each episode")
        try:
            query["all_day_zone"] = lookup_zone(zone_name)
        except UnknownZone as exc:
            raise ParameterError("tz", str(exc)) from None
    if "past_days" in values:
        query["past_days"] = _whole_number(values["past_days"], "past_days", 0, MAX_PAST_DAYS)
    return FeedQuery(**query)


def choose_language(given: str, languages: Iterable[str], titles: str) -> str:
    """The language as the titles spell it, matched in any case (JA is ja); English always."""
    langs = sorted(set(languages) | {"en"})
    by_folded = {lang.lower(): lang for lang in langs}
    if given.lower() not in by_folded:
        raise ParameterError("lang", f"lang '{given}' is not a language of {titles}: use one of "
                                     f"{', '.join(langs)}")
    return by_folded[given.lower()]


def _flag(values: dict[str, str], name: str) -> bool:
    if name not in values:
        return False
    if values[name] not in ("0", "1"):
        raise ParameterError(name, f"{name} '{values[name]}' is not valid: use 1 or 0")
    return values[name] == "1"


def _alarms(text: str) -> tuple[int, ...]:
    minutes = [_whole_number(part.strip(), "alarm", 0, MAX_ALARM_MINUTES)
               for part in text.split(",")]
    if len(minutes) > MAX_ALARMS:
        raise ParameterError("alarm", f"alarm lists {len(minutes)} reminders: at most "
                                      f"{MAX_ALARMS}")
    if len(set(minutes)) != len(minutes):
        raise ParameterError("alarm", "alarm lists the same reminder twice: give each once")
    return tuple(minutes)


def _whole_number(text: str, parameter: str, low: int, high: int) -> int:
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ParameterError(parameter, f"{parameter} '{text[:40]}' is not valid: use a whole "
                                        f"number from {low} to {high}")
    return int(text)

"""Query parameters of the JSON schedule: region, zone, a time window, shows and releases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from ..publish.catalog import unknown_show
from ..schedule.fields import advise
from ..schedule.model import Show
from .params import ParameterError, choose_language, single_values
from ..schedule.regions import Country, UnknownRegion, country
from ..schedule.wallclock import UTC
from ..schedule.zones import UnknownZone, lookup_zone

SCHEDULE_PARAMETERS = ("region", "tz", "from", "to", "show", "release", "releases", "lang")
SHOW_PARAMETERS = ("tz", "lang")
REPEATABLE = ("show",)
MAX_WINDOW = timedelta(days=366)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True)
class ScheduleQuery:
    region: Country | None
    zone: ZoneInfo
    start: datetime | None          # inclusive
    end: datetime | None            # exclusive
    show_ids: tuple[str, ...]
    release_ids: frozenset[str] | None
    all_releases: bool
    lang: str | None


def split_repeatable(pairs: Iterable[tuple[str, list[str]]]) -> tuple[list, dict[str, list[str]]]:
    """Parameters that may be given once, and those that may repeat (show=a&show=b)."""
    once, repeated = [], {}
    for name, values in pairs:
        if name in REPEATABLE:
            repeated[name] = values
        else:
            once.append((name, values))
    return once, repeated


def parse_schedule_query(pairs: Iterable[tuple[str, list[str]]],
                         shows: dict[str, Show]) -> ScheduleQuery:
    once, repeated = split_repeatable(pairs)
    values = single_values(once, SCHEDULE_PARAMETERS)
    region = _region(values.get("region"))
    zone = parse_zone(values.get("tz"), region)
    show_ids = tuple(repeated.get("show", ()))
    for show_id in show_ids:
        if show_id not in shows:
            raise ParameterError("show", unknown_show(show_id, shows), status=404)
    if len(set(show_ids)) != len(show_ids):
        raise ParameterError("show", "show lists the same show twice: give each once")
    # Releases and languages are checked against the whole catalog, not the shows chosen, so
    # that one query works across shows: a release id or language applies where it exists.
    release_ids = None
    if "release" in values:
        release_ids = frozenset(r.strip() for r in values["release"].split(","))
        known = {r.id for s in shows.values() for r in s.releases}
        unknown = sorted(release_ids - known)
        if unknown or "" in release_ids:
            raise ParameterError("release", f"release '{unknown[0] if unknown else ''}' is not a "
                                            f"release calfeed knows of: releases are "
                                            f"{', '.join(sorted(known)) or 'none'}")
    if "releases" in values and values["releases"] != "all":
        raise ParameterError("releases", f"releases '{values['releases']}' is not valid: the "
                                         "only value is 'all' (every release, not only the "
                                         "earliest per episode)")
    lang = parse_lang(values.get("lang"), shows)
    start = _moment(values.get("from"), "from", zone, end_of_day=False)
    end = _moment(values.get("to"), "to", zone, end_of_day=True)
    if start and end:
        if end <= start:
            raise ParameterError("to", "to must be later than from")
        if end - start > MAX_WINDOW:
            raise ParameterError("to", f"the window from {values['from']} to {values['to']} is "
                                       "longer than 366 days: ask for a shorter one")
    return ScheduleQuery(region=region, zone=zone, start=start, end=end, show_ids=show_ids,
                         release_ids=release_ids, all_releases="releases" in values, lang=lang)


def catalog_languages(shows: dict[str, Show]) -> list[str]:
    return sorted(set().union(*(s.languages for s in shows.values())) | {"en"})


def parse_lang(lang: str | None, shows: dict[str, Show]) -> str | None:
    """A language some title is in; each title falls back to English where it lacks it."""
    return None if lang is None else choose_language(lang, catalog_languages(shows), "any title")


def parse_zone(name: str | None, region: Country | None) -> ZoneInfo:
    """The zone asked for, else the region's display zone, else UTC."""
    try:
        return lookup_zone(name or (region.display_zone if region else None) or "UTC")
    except UnknownZone as exc:
        raise ParameterError("tz", str(exc)) from None


def _region(code: str | None) -> Country | None:
    if code is None:
        return None
    try:
        return country(code)
    except UnknownRegion as exc:
        raise ParameterError("region", advise(str(exc), "use an ISO 3166-1 alpha-2 code such "
                                                        "as us or jp"), status=404) from None


def _moment(text: str | None, parameter: str, zone: ZoneInfo, *, end_of_day: bool):
    """A date (the whole day in the zone: 'to' includes it) or an RFC 3339 date-time."""
    if text is None:
        return None
    try:
        if _DATE.fullmatch(text):
            moment = datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
            return _clamped(moment, timedelta(days=1) if end_of_day else timedelta(0))
        if _DATETIME.fullmatch(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return _clamped(moment if moment.tzinfo else moment.replace(tzinfo=zone), timedelta(0))
    except ValueError:
        pass
    raise ParameterError(parameter, f"{parameter} '{text[:40]}' is not a date (2024-01-10) or "
                                    "a date and time (2024-01-10T18:00:00Z)")


def _clamped(moment: datetime, plus: timedelta) -> datetime:
    """The instant in UTC, held within what datetime can hold (year 1 to 9999)."""
    try:
        return (moment + plus).astimezone(UTC)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if moment.year > 1 else \
            datetime.min.replace(tzinfo=UTC)

"""One parser per query parameter: text in, a typed value out, or a ParameterError naming it."""

from __future__ import annotations

import re
from typing import Iterable
from zoneinfo import ZoneInfo

from ..publish.catalogue import Catalogue, unknown_show
from ..schedule.model import Show
from ..schedule.regions import Country, UnknownRegion, country
from ..schedule.zones import UnknownZone, zone_of
from ..suggest import advise, quoted
from .parameter_error import ParameterError

MAX_ALARM_MINUTES = 10080   # one week
MAX_ALARMS = 5
MAX_PAST_DAYS = 36500
REGION_ADVICE = "use an ISO 3166-1 alpha-2 code such as us or jp"
_DIGITS = re.compile(r"[0-9]{1,9}")


def region(code: str) -> Country:
    """`region=` and the region in a feed's path: a country code in any case (ASCII)."""
    try:
        return country(code)
    except UnknownRegion as exc:
        raise ParameterError("region", unknown_region_message(exc), "not_found") from None


def unknown_region_message(error: UnknownRegion) -> str:
    return advise(str(error), REGION_ADVICE)


def zone(name: str | None, place: Country | None, *, default: str | None = "UTC") -> ZoneInfo:
    """`tz=`: the zone named, else the region's zone, else `default` (schedule.zones.zone_of)."""
    try:
        found = zone_of(name, place, default=default)
    except UnknownZone as exc:
        raise ParameterError("tz", str(exc)) from None
    if found is None:
        raise ParameterError("tz", "all_day=1 needs tz, an IANA zone such as Asia/Tokyo, for "
                                   "the date of each episode")
    return found


def offered_languages(languages: Iterable[str]) -> list[str]:
    """The languages a choice of titles offers: theirs, and English, which is always allowed
    (every title has an English name; the others fall back to it)."""
    return sorted(set(languages) | {"en"})


def lang(given: str, languages: Iterable[str], titles: str) -> str:
    """`lang=`: a language of `titles`, matched in any case (JA is ja), as the titles spell it."""
    offered = offered_languages(languages)
    by_folded = {code.lower(): code for code in offered}
    if given.lower() not in by_folded:
        raise ParameterError("lang", f"lang {quoted(given)} is not a language of {titles}: use one of "
                                     f"{', '.join(offered)}")
    return by_folded[given.lower()]


def alarms(text: str) -> tuple[int, ...]:
    """`alarm=`: minutes before the start, comma-separated, each once."""
    minutes = [whole_number(part.strip(), "alarm", 0, MAX_ALARM_MINUTES)
               for part in text.split(",")]
    if len(minutes) > MAX_ALARMS:
        raise ParameterError("alarm", f"alarm lists {len(minutes)} reminders: at most "
                                      f"{MAX_ALARMS}")
    if len(set(minutes)) != len(minutes):
        raise ParameterError("alarm", "alarm lists the same reminder twice: give each once")
    return tuple(minutes)


def alarm_text(minutes: tuple[int, ...]) -> str:
    """The canonical `alarm=` value for these reminders ('' for none)."""
    return ",".join(str(m) for m in minutes)


def flag(text: str | None, name: str) -> bool:
    """`all_day=`, `created=`: 1 or 0; absent is 0."""
    if text is None:
        return False
    if text not in ("0", "1"):
        raise ParameterError(name, f"{name} {quoted(text)} is not valid: use 1 or 0")
    return text == "1"


def past_days(text: str) -> int:
    return whole_number(text, "past_days", 0, MAX_PAST_DAYS)


def whole_number(text: str, parameter: str, low: int, high: int) -> int:
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ParameterError(parameter, f"{parameter} {quoted(text)} is not valid: use a whole "
                                        f"number from {low} to {high}")
    return int(text)


def releases(text: str) -> bool:
    """`releases=all`: one event per release, not one per episode."""
    if text != "all":
        raise ParameterError("releases", f"releases {quoted(text)} is not valid: the only value is "
                                         "'all' (one event per release)")
    return True


def release(text: str, shows: tuple[Show, ...], place: Country | None) -> frozenset[str]:
    """`release=`: release ids of these shows, each watchable in the region (if one is given)."""
    ids = [part.strip() for part in text.split(",")]
    if not all(ids):
        raise ParameterError("release", "release has an empty item: give release ids "
                                        "separated by commas, like crunchyroll,fod")
    check_releases(frozenset(ids), shows, place)
    return frozenset(ids)


def check_releases(release_ids: frozenset[str], shows: tuple[Show, ...],
                   place: Country | None) -> None:
    """Every release asked for is one of these shows' and can be watched in the region: the
    same check, and the same message, for feeds, the API and stored calendars."""
    anywhere = {r.id for s in shows for r in s.releases}
    here = anywhere if place is None else \
        {r.id for s in shows for r in s.releases if r.watchable_in(place.code)}
    for release_id in sorted(release_ids):
        if release_id not in here:
            problem = (f"cannot be watched in {place.name}" if release_id in anywhere
                       else "is not a release of " + (shows[0].name() if len(shows) == 1
                                                      else "these shows"))
            listed = "releases here are" if place is not None else "releases are"
            raise ParameterError("release", f"release {quoted(release_id)} {problem}: {listed} "
                                            f"{', '.join(sorted(here)) or 'none'}")


def show_id(text: str, catalogue: Catalogue) -> str:
    """`show=`, and a show a form names: today's id of the show it names
    (`Catalogue.current_id`: any case, an old id, the stable key); not_found otherwise."""
    found = catalogue.current_id(text)
    if found is None:
        raise ParameterError("show", unknown_show(text, catalogue.shows), "not_found")
    return found

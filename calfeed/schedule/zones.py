"""Time zones by IANA name, from the tz database, with suggestions for misspelt names."""

from __future__ import annotations

import difflib
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones


class UnknownZone(ValueError):
    """A name that is not a zone of the tz database."""


# Names in the tz database that are not places: 'localtime' and 'posixrules' are whatever the
# host is set to, 'Factory' means "zone not set"; a feed's dates must not depend on the server.
NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() - NOT_PLACES))


def lookup_zone(name: str) -> ZoneInfo:
    """The zone of an IANA name such as Asia/Tokyo; raises UnknownZone with a suggestion."""
    if name not in zone_names():
        raise UnknownZone(f"unknown time zone '{name}'{zone_hint(name)}")
    return ZoneInfo(name)


def zone_hint(name: str) -> str:
    """Suggest a zone by its whole name, else by its city ('Tokio' -> 'Asia/Tokyo')."""
    folded = {n.lower(): n for n in zone_names()}
    if name.lower() in folded:
        return f", did you mean '{folded[name.lower()]}'?"
    close = difflib.get_close_matches(name, zone_names(), n=1, cutoff=0.75)
    if not close:
        cities = {n.split("/")[-1].lower(): n for n in zone_names()}
        found = difflib.get_close_matches(name.split("/")[-1].lower(), list(cities), n=1,
                                          cutoff=0.75)
        close = [cities[found[0]]] if found else []
    return f", did you mean '{close[0]}'?" if close else ""

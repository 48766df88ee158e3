"""Time zones by IANA name, from the tz database, with suggestions for misspelt names."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from ..suggest import closest


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


def zone_of(name: str | None, region=None, *, default: str | None = "UTC") -> ZoneInfo | None:
    """The zone named, else the region's zone, else `default` (UTC unless told; None: no zone).

    The one place this rule is written: feeds, the API, pages and the CLI all come here.
    `region` is a schedule.regions.Country (not imported here: regions does not need zones).
    """
    chosen = name or (region.display_zone if region is not None else None) or default
    return None if chosen is None else lookup_zone(chosen)


def zone_hint(name: str) -> str:
    """Suggest a zone by its whole name, else by its city ('Tokio' -> 'Asia/Tokyo')."""
    found = closest(name, zone_names(), cutoff=0.75)
    if found is None:
        cities = {n.split("/")[-1].lower(): n for n in zone_names()}
        found = closest(name.split("/")[-1].lower(), cities, cutoff=0.75)
    return f", did you mean '{found}'?" if found else ""

"""What a feed URL asks for beyond its path, from its declared parameters."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..schedule.model import Show
from ..schedule.regions import Country
from . import values as parse
from .declare import Declaration, Values
from .parameter_error import ParameterError

FEED = Declaration(("lang", "alarm", "release", "releases", "tz", "all_day", "past_days"))


@dataclass(frozen=True)
class FeedQuery:
    """What a feed URL asks for beyond its path."""

    lang: str | None = None
    alarms: tuple[int, ...] = ()
    release_ids: frozenset[str] | None = None
    all_releases: bool = False
    all_day_zone: ZoneInfo | None = None
    past_days: int | None = None


def parse_feed_query(values: Values, shows: tuple[Show, ...], region: Country) -> FeedQuery:
    """A FeedQuery for a feed of these shows in a region (lang and release are theirs)."""
    query: dict = {}
    if "lang" in values:
        query["lang"] = parse.lang(values.get("lang"), languages(shows), "these titles")
    if "alarm" in values:
        query["alarms"] = parse.alarms(values.get("alarm"))
    if "release" in values:
        query["release_ids"] = parse.release(values.get("release"), shows, region)
    if "releases" in values:
        query["all_releases"] = parse.releases(values.get("releases"))
    all_day = parse.flag(values.get("all_day"), "all_day")
    if "tz" in values and not all_day:
        raise ParameterError("tz", "tz only applies to all-day events: add all_day=1, or leave "
                                   "tz out (event times are exact instants, shown in your "
                                   "calendar's own zone)")
    if all_day:
        # No UTC fallback: an all-day date in a zone the subscriber never chose would be wrong.
        query["all_day_zone"] = parse.zone(values.get("tz"), region, default=None)
    if "past_days" in values:
        query["past_days"] = parse.past_days(values.get("past_days"))
    return FeedQuery(**query)


def languages(shows: tuple[Show, ...]) -> frozenset[str]:
    """The languages these shows have titles in."""
    return frozenset().union(*(s.languages for s in shows)) if shows else frozenset()

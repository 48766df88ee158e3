"""What /api/v1/schedule and /api/v1/shows/{show} ask for, from their declared parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping
from zoneinfo import ZoneInfo

from ..publish.catalogue import Catalogue
from ..schedule.model import Show
from ..schedule.regions import Country
from . import values as parse
from .declare import Declaration, Values
from .parameter_error import ParameterError
from .from_to import window

SCHEDULE = Declaration(("region", "tz", "from", "to", "show", "release", "releases", "lang"))
SHOW = Declaration(("region", "tz", "lang"))
SEARCH = Declaration(("q", "region", "release", "limit"))


@dataclass(frozen=True)
class ScheduleQuery:
    region: Country | None
    zone: ZoneInfo
    start: datetime                 # inclusive
    end: datetime                   # exclusive
    show_ids: tuple[str, ...]
    release_ids: frozenset[str] | None
    all_releases: bool
    lang: str | None


def parse_schedule_query(values: Values, catalogue: Catalogue, now: datetime) -> ScheduleQuery:
    region = parse.region(values.get("region")) if "region" in values else None
    zone = parse.zone(values.get("tz"), region)
    shows = catalogue.shows
    show_ids = tuple(parse.show_id(text, catalogue) for text in values.all("show"))
    if len(set(show_ids)) != len(show_ids):
        raise ParameterError("show", "show lists the same show twice: give each once")
    chosen = tuple(shows[s] for s in show_ids) if show_ids else tuple(shows.values())
    if region is not None:
        # As a feed of the region would: releases are checked against what is watchable there.
        chosen = tuple(s for s in chosen if region.code in s.regions)
    release_ids = (parse.release(values.get("release"), chosen, region)
                   if "release" in values else None)
    all_releases = parse.releases(values.get("releases")) if "releases" in values else False
    lang = title_lang(values.get("lang"), shows)
    start, end = window(values.get("from"), values.get("to"), zone, now)
    return ScheduleQuery(region=region, zone=zone, start=start, end=end, show_ids=show_ids,
                         release_ids=release_ids, all_releases=all_releases, lang=lang)


def title_languages(shows: Mapping[str, Show]) -> list[str]:
    """The languages the shows' titles are in, as the API offers them."""
    return parse.offered_languages(set().union(*(s.languages for s in shows.values())))


def title_lang(text: str | None, shows: Mapping[str, Show]) -> str | None:
    """A language some title is in; each title falls back to English where it lacks it. The
    API checks it against every show's titles, so one query works across shows."""
    if text is None:
        return None
    return parse.lang(text, set().union(*(s.languages for s in shows.values())), "any title")


def show_zone(values: Values) -> ZoneInfo | None:
    """/api/v1/shows/{show}: local times in tz when given, else each airing in its own zone."""
    return parse.zone(values.get("tz"), None) if "tz" in values else None

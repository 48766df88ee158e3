"""Anime seasons (2024-winter): a show's is that of its first airing in Japan, by Tokyo's calendar,
or the next one when it began in the last two weeks of a season with episodes still to come."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping
from zoneinfo import ZoneInfo

from ..errors import ExpansionError
from ..schedule.model import TIMED, Release, Show
from ..schedule.wallclock import UTC, WallTimeGap, in_zone

TOKYO = ZoneInfo("Asia/Tokyo")
# The spelling in URLs; "autumn" is taken too, and redirected to "fall" (as AniList and
# MyAnimeList name the season).
NAMES = ("winter", "spring", "summer", "fall")
ALIASES = {"autumn": "fall"}
_SLUG = re.compile(r"([0-9]{4})-([a-z]+)")
# A series first aired this close to a season's end airs mostly in the next one, where
# MyAnimeList and AniList file it (Frieren, first aired 29 September 2023: Fall 2023).
LAST_DAYS = 14


class NotASeason(ValueError):
    """A season slug that is not YYYY-winter/spring/summer/fall."""


@dataclass(frozen=True, order=True)
class Season:
    year: int
    quarter: int            # 0 winter (Jan-Mar), 1 spring, 2 summer, 3 fall (Oct-Dec)

    @property
    def slug(self) -> str:
        return f"{self.year}-{NAMES[self.quarter]}"

    def plus(self, quarters: int) -> Season:
        index = self.year * 4 + self.quarter + quarters
        return Season(index // 4, index % 4)


def season_start(season: Season) -> datetime:
    """The first instant of a season, in Japan."""
    return datetime(season.year, season.quarter * 3 + 1, 1, tzinfo=TOKYO)


def season_of(moment: datetime) -> Season:
    """The season of an instant, by the date in Japan."""
    local = moment.astimezone(TOKYO)
    return Season(local.year, (local.month - 1) // 3)


def season_of_start(first: datetime, episodes: int) -> Season:
    """The season a show belongs to, from its first airing and its number of episodes: that
    airing's, unless it falls in the last LAST_DAYS days of a season's last month (in Japan)
    and more episodes follow, which then air mostly in the next season. A film or a one-off
    special stays in the season of its day."""
    season = season_of(first)
    local = first.astimezone(TOKYO)
    days = monthrange(local.year, local.month)[1]
    if episodes > 1 and local.month % 3 == 0 and local.day > days - LAST_DAYS:
        return season.plus(1)
    return season


def parse_season(slug: str) -> tuple[Season, bool]:
    """A season from '2024-winter' (any case; 'autumn' for fall), and whether the slug was
    already the canonical spelling."""
    match = _SLUG.fullmatch(slug.lower())
    name = ALIASES.get(match.group(2), match.group(2)) if match else None
    if not match or name not in NAMES or not 1900 <= int(match.group(1)) <= 2199:
        raise NotASeason(f"'{slug[:40]}' is not a season: write it as year-season, like "
                         "2024-winter (winter is January to March, then spring, summer, fall)")
    season = Season(int(match.group(1)), NAMES.index(name))
    return season, season.slug == slug


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def first_airing(show: Show, region: str = "JP") -> datetime | None:
    """When the first episode is first watchable in a region (Japan by default), else
    anywhere; worked out from each release's own start, skips and moves (and the offset of
    releases that follow another) without expanding the whole show."""
    if not show.episodes:
        return None
    if show.premiered is not None:
        return show.premiered    # a long runner listed from its current slot
    # The broadcast (or a film's release) where there is one: a stray streaming start (a
    # sequel's site page from its first season) does not make the show a season's.
    timed = [r for r in show.releases if r.precision == TIMED]
    here = [r for r in timed if r.watchable_in(region)] or timed
    firsts = [r for r in here if r.kind != "streaming"] or here
    starts = [start for r in firsts if (start := _first_start(show, r)) is not None]
    if not starts:   # dated releases alone: their days, read in UTC
        starts = [start for r in show.releases if (start := _first_start(show, r)) is not None]
    return min(starts) if starts else None


def _first_start(show: Show, release: Release, depth: int = 0) -> datetime | None:
    first = show.episodes[0].number
    moved = {m.episode: m.to for m in release.moves}
    try:
        if first in moved:
            return in_zone(moved[first], release.timezone).astimezone(UTC)
        if release.follows:
            if depth > len(show.releases):   # validation refuses cycles; never loop anyway
                return None
            leader = _first_start(show, show.release(release.follows), depth + 1)
            return leader + release.offset if leader else None
        if release.start is None:
            return None
        slot = 0
        skipped = set(release.skip)
        while release.start.plus_days(slot * release.every_days).day in skipped:
            slot += 1
        return in_zone(release.start.plus_days(slot * release.every_days),
                       release.timezone).astimezone(UTC)
    except (WallTimeGap, ExpansionError, StopIteration):
        return None


@dataclass(frozen=True)
class SeasonIndex:
    """Every show's season and first airing, and each season's shows in airing order."""

    first: Mapping[str, datetime | None]
    season: Mapping[str, Season]        # shows with a first airing only
    by_season: Mapping[Season, tuple[str, ...]]

    @classmethod
    def build(cls, shows: Mapping[str, Show],
              known: Mapping[str, str | None] | None = None) -> SeasonIndex:
        """The index of these shows; `known` gives some shows' first airings (ISO 8601, as
        kept beside a dataset), worked out again for the others."""
        known = known or {}
        first = {show_id: (_instant(known[show_id]) if show_id in known
                           else first_airing(show)) for show_id, show in shows.items()}
        season = {show_id: season_of_start(moment, len(shows[show_id].episodes))
                  for show_id, moment in first.items() if moment is not None}
        grouped: dict[Season, list[str]] = {}
        for show_id, belongs in season.items():
            grouped.setdefault(belongs, []).append(show_id)
        return cls(first=first, season=season, by_season={
            season: tuple(sorted(ids, key=lambda s: (first[s], s)))
            for season, ids in sorted(grouped.items())})

    def seasons(self) -> list[Season]:
        return list(self.by_season)

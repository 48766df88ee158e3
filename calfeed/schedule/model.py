"""The validated model: shows, their episodes and releases, and the airings expanded from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from typing import Mapping
from zoneinfo import ZoneInfo

from .wallclock import WallTime

TIMED, DATED, LISTED = "timed", "dated", "listed"


def pick_title(titles: Mapping[str, str], lang: str | None) -> str | None:
    """The title in a language, falling back to its primary subtag, then English."""
    for candidate in (lang, (lang or "").split("-")[0], "en"):
        if candidate and candidate in titles:
            return titles[candidate]
    return None


@dataclass(frozen=True)
class Episode:
    """One numbered episode of a show season, with titles by BCP 47 language tag.

    An imported long runner's episodes are known by their date in Japan (`aired`), not by a
    number: a weekly count across years of breaks is not the episode's number, so `number` is
    then only its place in the list, and never shown or put in a UID.
    """

    number: int
    titles: Mapping[str, str] = field(default_factory=dict)
    aired: date | None = None

    def title(self, lang: str | None = None) -> str | None:
        return pick_title(self.titles, lang)

    @property
    def key(self) -> str:
        """What the episode's UIDs and revisions are built on: its number, or for an episode
        known by its date, that date (20261212), stable whatever the count before it."""
        return self.aired.strftime("%Y%m%d") if self.aired else str(self.number)


@dataclass(frozen=True)
class Move:
    """One episode placed at another wall time; the other episodes stay where they were."""

    episode: int
    to: WallTime


@dataclass(frozen=True)
class Release:
    """One way to watch the episodes: a broadcast or a stream, in some regions, on a schedule.

    A release either has its own schedule (start, every, skip) or follows another release at
    an offset, inheriting that release's zone, skips and moves.
    """

    id: str
    name: str
    kind: str
    regions: frozenset[str]
    timezone: ZoneInfo
    regions_text: str = ""   # the regions as the schedule names them: "world except asia"
    url: str | None = None
    start: WallTime | None = None
    every_days: int = 7
    skip: tuple[date, ...] = ()
    moves: tuple[Move, ...] = ()
    follows: str | None = None
    offset: timedelta = timedelta(0)
    # Where its times come from: "curated" (a schedule file and its sources), "dataset" (an
    # imported catalogue, see provenance_notes for its version) or "inferred" (a time the import
    # had to guess: a start copied from the broadcast, an open end); notes say which, for people.
    provenance: str = "curated"
    provenance_notes: tuple[str, ...] = ()
    # How much of each airing's moment the data gives: TIMED (the instant), DATED (its day
    # only: shown as a date, never as a time) or LISTED (no dates at all: the show is on this
    # platform, and it has no airings).
    precision: str = "timed"

    @property
    def dated(self) -> bool:
        """Whether the release has airings at all (a LISTED release has none)."""
        return self.precision != LISTED

    def watchable_in(self, region: str) -> bool:
        return region.upper() in self.regions


@dataclass(frozen=True)
class Show:
    """One season of a show, as one schedule file states it."""

    id: str
    title: Mapping[str, str]
    episodes: tuple[Episode, ...]
    releases: tuple[Release, ...]
    duration: timedelta = timedelta(minutes=30)
    studio: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    path: str = ""
    ids: Mapping[str, str] = field(default_factory=dict)   # on other sites: {"bangumi": "…"}
    kind: str = "tv"   # tv, web, movie or ova: movies and OVAs are one dated event each
    # When the first episode first aired, where its releases do not begin with it: an
    # imported long runner is listed from its current slot, not from its premiere.
    premiered: datetime | None = None
    # Languages whose title calfeed made rather than read (a sequel's English title from its
    # series'): the API says so, since no source stands behind them.
    derived_titles: frozenset[str] = frozenset()

    @property
    def uid_key(self) -> str:
        """What event UIDs are built on: the bangumi.tv subject when known (so curating an
        imported show keeps its UIDs), else the show id; never a title or anything that changes."""
        bangumi = self.ids.get("bangumi")
        return f"bgm{bangumi}" if bangumi else self.id

    def name(self, lang: str | None = None) -> str:
        # Without a title in the language or in English (half the imported shows), the
        # show's own first title, not its URL id.
        return pick_title(self.title, lang) or next(iter(self.title.values()), None) or self.id

    def release(self, release_id: str) -> Release:
        return next(r for r in self.releases if r.id == release_id)

    # Worked out once per show: a feed's `lang` is checked against thousands of imported shows
    # on every request, each with up to thousands of episodes. (cached_property writes the
    # instance's __dict__ directly, which a frozen dataclass allows.)
    @cached_property
    def languages(self) -> frozenset[str]:
        """Every language the show or one of its episodes has a title in."""
        langs = set(self.title)
        for episode in self.episodes:
            langs.update(episode.titles)
        return frozenset(langs)

    # Once per show too: a region feed asks it of every show (8,500 imported, whose streaming
    # sites serve up to 240 countries each).
    @cached_property
    def regions(self) -> frozenset[str]:
        return frozenset().union(*(r.regions for r in self.releases))


@dataclass(frozen=True)
class Airing:
    """One episode of one release at one instant: the fact every output renders."""

    show: Show = field(repr=False)
    episode: Episode
    release: Release = field(repr=False)
    start: datetime          # in the release's zone
    end: datetime
    moved: bool = False      # placed by a move of its own (or of the release it follows)
    shifted: bool = False    # later than its regular slot because of a skipped week
    start_utc: datetime = field(default=None, compare=False)   # the same instants in UTC,
    end_utc: datetime = field(default=None, compare=False)     # made once, used everywhere

    def __post_init__(self):
        if self.start_utc is None:
            object.__setattr__(self, "start_utc", self.start.astimezone(timezone.utc))
        if self.end_utc is None:
            object.__setattr__(self, "end_utc", self.end.astimezone(timezone.utc))

    @property
    def time_known(self) -> bool:
        """False for an airing whose day alone is known: it is a date, never an instant."""
        return self.release.precision == TIMED

    @property
    def latest_start(self) -> datetime:
        """The latest instant the airing can start: a dated airing's whole day is open, so a
        timed release of the same episode that day comes first (publish/selection.py)."""
        return self.start_utc if self.time_known else self.start_utc + timedelta(days=1)

    @property
    def over_by(self) -> datetime:
        """When the airing is surely over: its end, or a dated airing's day's end."""
        return self.end_utc if self.time_known else self.start_utc + timedelta(days=1)

    @property
    def day(self) -> date:
        """The airing's date: for a dated airing the day the data gives, whatever the zone."""
        return self.start.date()

    @property
    def uid(self) -> str:
        """The identity of this release's event (feeds with every release): stable per show,
        episode and release, whatever else changes."""
        return f"{self.show.uid_key}-{self.episode.key}-{self.release.id}@calfeed"

    @property
    def episode_key(self) -> str:
        """What every region's event of this episode takes its revision from."""
        return f"{self.show.uid_key}-{self.episode.key}"

    def episode_uid(self, region: str) -> str:
        """The identity of the one event for this episode in a region (feeds with one event an
        episode): the same whichever release is earliest or chosen."""
        return episode_uid(self.show, self.episode.key, region)


def episode_uid(show: Show, episode_key: str, region: str) -> str:
    return f"{show.uid_key}-{episode_key}-{region.lower()}@calfeed"

"""What the HTML pages show, as plain values for the templates: cards, episode rows, choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..schedule.expand import releases_in
from ..schedule.model import Airing, Show
from ..publish.published import Published
from ..schedule.regions import Country
from ..publish.selection import where_watchable
from .provenance import CURATED, of_airing, sentence
from ..schedule.zones import zone_of

ALARM_CHOICES = (("", "No reminder"), ("15", "15 minutes before"), ("60", "1 hour before"))


def language_choices(codes) -> list[tuple[str, str]]:
    """Each language with its own name for itself (English, 日本語), from CLDR via Babel."""
    from babel import Locale, UnknownLocaleError

    def own_name(code: str) -> str:
        try:
            locale = Locale.parse(code, sep="-")
            return locale.get_display_name(locale) or code
        except (ValueError, UnknownLocaleError):
            return code
    return [(code, own_name(code)) for code in sorted(codes)]


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """'Wednesday, January 10, 2024, 13:25 EST': the server's rendering, before any script."""
    local = moment.astimezone(zone)
    return f"{local:%A}, {local:%B} {local.day}, {local.year}, {local:%H:%M} {local:%Z}"


@dataclass(frozen=True)
class EpisodeRow:
    number: int
    title: str | None
    release: str
    start_utc: str          # RFC 3339, for <time datetime> and the browser's own zone
    start_text: str         # in the region's display zone
    aired: bool
    moved: bool
    delayed: bool
    provenance: str = CURATED   # the kind: curated, dataset or inferred (provenance.py)


@dataclass(frozen=True)
class TimeSource:
    """Where the times of some releases on a page come from, in plain words."""

    releases: tuple[str, ...]
    text: str                   # 'Time from bangumi-data 0.3.208, not verified.'
    kind: str
    sources: tuple[str, ...]    # a curated file's sources, listed on the page


@dataclass(frozen=True)
class ShowCard:
    show: Show
    title_en: str
    title_ja: str | None
    releases_here: tuple[str, ...]
    where_else: str
    next_airing: EpisodeRow | None
    last_airing: EpisodeRow | None


def episode_row(airing: Airing, lang: str | None, zone: ZoneInfo, now: datetime) -> EpisodeRow:
    return EpisodeRow(number=airing.episode.number, title=airing.episode.title(lang),
                      release=airing.release.name,
                      start_utc=airing.start_utc.isoformat().replace("+00:00", "Z"),
                      start_text=local_text(airing.start, zone), aired=airing.end <= now,
                      moved=airing.moved, delayed=airing.shifted,
                      provenance=airing.release.provenance)


def region_airings(published: Published, show: Show, region: Country) -> list[Airing]:
    """The airings a region sees of a show: the earliest release of each episode."""
    return published.selection(region.code, (show.id,), None, False)


def show_cards(published: Published, region: Country, now: datetime) -> list[ShowCard]:
    zone = zone_of(None, region)
    cards = []
    for show in published.catalog.shows.values():
        rows = [episode_row(a, "en", zone, now) for a in region_airings(published, show, region)]
        upcoming = [r for r in rows if not r.aired]
        aired = [r for r in rows if r.aired]
        cards.append(ShowCard(
            show=show, title_en=show.name("en"), title_ja=show.title.get("ja"),
            releases_here=tuple(r.name for r in releases_in(show, region.code)),
            where_else=where_watchable(show),
            next_airing=upcoming[0] if upcoming else None,
            last_airing=aired[-1] if aired else None))
    return cards


def episode_rows(published: Published, show: Show, region: Country, lang: str | None,
                 now: datetime) -> list[EpisodeRow]:
    zone = zone_of(None, region)
    return [episode_row(a, lang, zone, now) for a in region_airings(published, show, region)]


def time_sources(airings: list[Airing]) -> list[TimeSource]:
    """One entry per distinct provenance among these airings, naming the releases it covers,
    in the order the releases first appear."""
    grouped: dict[str, tuple[list[str], object]] = {}
    for airing in airings:
        found = of_airing(airing)
        names, _ = grouped.setdefault(sentence(found), ([], found))
        if airing.release.name not in names:
            names.append(airing.release.name)
    return [TimeSource(tuple(names), text, found.kind,
                       found.sources if found.kind == CURATED else ())
            for text, (names, found) in grouped.items()]

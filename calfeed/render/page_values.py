"""What the HTML pages show, as plain values for the templates: cards, episode rows, choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable
from zoneinfo import ZoneInfo

from ..schedule.expand import releases_in
from ..schedule.model import Airing, Release, Show
from ..publish.published import Published, Window
from ..schedule.regions import Country
from ..publish.selection import where_watchable
from .page_text import day_text, local_text, season_label
from .provenance import CURATED, of_airing, sentence
from ..i18n import release_name, translations
from ..schedule.zones import zone_of


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


@dataclass(frozen=True)
class EpisodeRow:
    number: int | None      # None for an episode known by its date (an imported long runner)
    title: str | None
    release: str
    start_utc: str          # RFC 3339, for <time datetime> and the browser's own zone
    start_text: str         # in the region's display zone
    aired: bool
    moved: bool
    delayed: bool
    provenance: str = CURATED   # the kind: curated, dataset or inferred (provenance.py)
    time_known: bool = True     # False: start_utc is the date alone, start_text says so


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


def episode_row(airing: Airing, lang: str | None, zone: ZoneInfo, now: datetime,
                words: str = "en") -> EpisodeRow:
    """An episode as a page lists it: its title in `lang`, the page's words in `words`."""
    known = airing.time_known
    return EpisodeRow(number=airing.episode.number if airing.episode.aired is None else None,
                      title=airing.episode.title(lang),
                      release=release_name(airing.release.name, translations(words)),
                      start_utc=(airing.start_utc.isoformat().replace("+00:00", "Z") if known
                                 else airing.day.isoformat()),
                      start_text=(local_text(airing.start, zone, words) if known
                                  else day_text(airing.day, words)),
                      aired=airing.over_by <= now,
                      moved=airing.moved, delayed=airing.shifted,
                      provenance=airing.release.provenance, time_known=known)


def region_airings(published: Published, show: Show, region: Country,
                   release_ids: frozenset[str] | None = None,
                   all_releases: bool = False, window: Window | None = None) -> list[Airing]:
    """The airings a region sees of a show: the earliest release of each episode, or of the
    chosen releases, or every release's; those starting in `window` when one is given."""
    return published.selection(region.code, (show.id,), release_ids, all_releases, window)


def show_cards(published: Published, region: Country, now: datetime,
               shows: Iterable[Show] | None = None,
               window: Window | None = None, words: str = "en") -> list[ShowCard]:
    """A card per show; with a `window`, its next and last episode are looked for there alone
    (a long runner's card then costs a few weeks of airings, not its thousand episodes)."""
    zone = zone_of(None, region)
    cards = []
    for show in published.catalogue.shows.values() if shows is None else shows:
        rows = [episode_row(a, "en", zone, now, words)
                for a in region_airings(published, show, region, window=window)]
        upcoming = [r for r in rows if not r.aired]
        aired = [r for r in rows if r.aired]
        cards.append(ShowCard(
            show=show, title_en=display_title(show), title_ja=second_title(show),
            releases_here=tuple(release_label(r, words) for r in releases_in(show, region.code)),
            where_else=where_watchable(show),
            next_airing=upcoming[0] if upcoming else None,
            last_airing=aired[-1] if aired else None))
    return cards


def episode_rows(published: Published, show: Show, region: Country, lang: str | None,
                 now: datetime, release_ids: frozenset[str] | None = None,
                 all_releases: bool = False, words: str = "en") -> list[EpisodeRow]:
    zone = zone_of(None, region)
    return [episode_row(a, lang, zone, now, words)
            for a in region_airings(published, show, region, release_ids, all_releases)]


def time_sources(airings: list[Airing], messages=None) -> list[TimeSource]:
    """One entry per distinct provenance among these airings, naming the releases it covers,
    in the order the releases first appear; the sentence in the language of
    `messages`, the feeds' translations (English as written without them)."""
    grouped: dict[str, tuple[list[str], object]] = {}
    messages = messages or translations(None)
    for airing in airings:
        found = of_airing(airing)
        names, _ = grouped.setdefault(sentence(found, messages), ([], found))
        name = release_name(airing.release.name, messages)
        if name not in names:
            names.append(name)
    return [TimeSource(tuple(names), text, found.kind,
                       found.sources if found.kind == CURATED else ())
            for text, (names, found) in grouped.items()]


@dataclass(frozen=True)
class PlatformChoice:
    """One way to choose where to watch on a show page: the page's query for it."""

    label: str
    release: str        # a release id, or "" for the earliest of each episode
    releases: str       # "all" for every release's airings, else ""
    chosen: bool


def platform_choices(show: Show, region: Country, query,
                     words: str = "en") -> list[PlatformChoice]:
    """Earliest (the default), each release watchable in the region, and all of them."""
    _ = translations(words).gettext
    here = releases_in(show, region.code)
    chosen_ids = query.release_ids
    place = region.name if words == "en" else region.name_in(words)
    choices = [PlatformChoice(_("Earliest in {region}").format(region=place), "", "",
                              chosen_ids is None and not query.all_releases)]
    choices += [PlatformChoice(release_label(r, words), r.id, "",
                               chosen_ids == {r.id} and not query.all_releases)
                for r in here]
    if len(here) > 1:
        choices.append(PlatformChoice(_("Every platform"), "", "all",
                                      chosen_ids is None and query.all_releases))
    return choices


@dataclass(frozen=True)
class WhereToWatch:
    release: str
    regions_text: str               # "JP", "200 countries"
    regions: tuple[Country, ...]    # a few of them, to open the show's page there


# Where a release covers many countries, the page links to a few, these first when covered.
_WIDELY_USED = ("US", "GB", "CA", "AU", "JP", "DE", "FR", "BR", "IN", "ES")
MAX_LINKED = 5


def where_to_watch(show: Show, countries: dict[str, Country],
                   words: str = "en") -> list[WhereToWatch]:
    """For a show that cannot be watched in the region asked about: each of its releases, the
    regions it covers and a few of them to open the show's page in."""
    found = []
    for release in show.releases:
        codes = sorted(code for code in release.regions if code in countries)
        chosen = [c for c in _WIDELY_USED if c in release.regions] + \
            [c for c in codes if c not in _WIDELY_USED]
        found.append(WhereToWatch(release_name(release.name, translations(words)),
                                  regions_words(release, countries, words),
                                  tuple(countries[c] for c in chosen[:MAX_LINKED])))
    return found


# Up to this many countries a page names them; more, it says how many.
FEW_REGIONS = 8


def regions_words(release: Release, countries: dict[str, Country], words: str = "en") -> str:
    """The regions a release covers, for a page: in English as the schedule names them ("world
    except asia"); in another language the countries' names in it, or how many there are."""
    if words == "en":
        return release.regions_text
    messages = translations(words)
    named = [countries[code].name_in(words) for code in sorted(release.regions)
             if code in countries]
    if len(named) < FEW_REGIONS:
        return messages.pgettext("list separator", ", ").join(named)
    return messages.ngettext("{count} country", "{count} countries",
                             len(named)).format(count=len(named))


def release_label(release: Release, words: str = "en") -> str:
    """A platform's name, saying so when the data lists the show there without dates."""
    messages = translations(words)
    name = release_name(release.name, messages)
    return name if release.dated else \
        messages.gettext("{release} (no dates in the data)").format(release=name)


def display_title(show: Show) -> str:
    """English, else the original Japanese, else any title the show has."""
    return show.title.get("en") or show.title.get("ja") or show.name()


def second_title(show: Show) -> str | None:
    """The Japanese title under an English one (none when the Japanese is the first)."""
    return show.title.get("ja") if show.title.get("en") else None


def upcoming_first(cards: list[ShowCard]) -> list[ShowCard]:
    """Shows with an episode to come by its time, soonest first; then the rest, latest first."""
    upcoming = sorted((c for c in cards if c.next_airing), key=lambda c: c.next_airing.start_utc)
    ended = sorted((c for c in cards if not c.next_airing),
                   key=lambda c: c.last_airing.start_utc if c.last_airing else "", reverse=True)
    return upcoming + ended


@dataclass(frozen=True)
class SearchResult:
    show: Show
    title: str
    title_ja: str | None
    season: str | None          # "Winter 2024"
    watchable: bool             # in the region searched from
    releases_here: tuple[str, ...]


def search_results(hits, region: Country, release: str | None, seasons,
                   limit: int, words: str = "en") -> tuple[list[SearchResult], int]:
    """The first `limit` hits as the page lists them, and how many there are: shows watchable
    in the region first (keeping the index's order otherwise); with a platform chosen, only
    the shows it carries in the region. Only the listed hits are worked out in full: a short
    query matches hundreds of shows."""
    here, elsewhere = [], []
    for hit in hits:
        releases = [r for r in hit.show.releases if r.watchable_in(region.code)]
        if release is not None and not any(r.id == release for r in releases):
            continue
        (here if releases else elsewhere).append((hit.show, releases))
    results = []
    for show, releases in (here + elsewhere)[:limit]:
        season = seasons.season.get(show.id)
        results.append(SearchResult(
            show=show, title=display_title(show), title_ja=second_title(show),
            season=season_label(season, words) if season else None, watchable=bool(releases),
            releases_here=tuple(release_label(r, words) for r in releases)))
    return results, len(here) + len(elsewhere)

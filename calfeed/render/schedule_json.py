"""JSON rendering: regions, shows and airings as plain dicts, in a fixed order."""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from ..schedule.model import Airing, Show
from ..publish.published import Published
from ..publish.selection import select_airings
from ..schedule.regions import Country
from ..query.schedule import ScheduleQuery
from ..schedule.wallclock import UTC
from .attribution import attribution
from .data_end import ended_before
from .provenance import as_json, of_airing

FeedUrl = Callable[[str, str], str]   # (region code, show id) -> absolute feed URL


def rfc3339(moment: datetime) -> str:
    """'2024-01-10T13:25:00-05:00'; UTC instants end in 'Z'. An offset with seconds (local
    mean time before a zone's first standard time, e.g. -06:06:28) cannot be written in RFC 3339,
    so that instant is given in UTC."""
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        moment = moment.astimezone(UTC)
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if moment.utcoffset() is not None and moment.tzinfo is UTC else text


def _in_zone(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """A window's edge in the zone asked for; in UTC at the very ends of the calendar."""
    if moment is None:
        return None
    try:
        return rfc3339(moment.astimezone(zone))
    except OverflowError:
        return rfc3339(moment)


def region_entry(place: Country, show_count: int, url: str) -> dict:
    """A region, with how many shows are watchable there and the URL of its own document,
    which lists them: every region's ids in one made a 7 MB document of the imported
    catalogue."""
    return {"code": place.code, "name": place.name, "display_zone": place.display_zone,
            "show_count": show_count, "url": url}


def show_entry(show: Show, feed_url: FeedUrl) -> dict:
    return {
        "id": show.id,
        "title": dict(show.title),
        # Languages whose title calfeed made (a sequel's English title from its series').
        "derived_titles": sorted(show.derived_titles),
        # On other sites, as strings: bangumi, mal, anilist, anidb, tmdb where known.
        "ids": {key: str(show.ids[key]) for key in sorted(show.ids)},
        "studio": show.studio,
        "links": dict(show.links),
        "sources": list(show.sources),
        # A long runner known by its dates has no first number: its count is of dates listed.
        "episodes": {"count": len(show.episodes),
                     "first": (show.episodes[0].number if show.episodes[0].aired is None
                               else None),
                     "by_date": show.episodes[0].aired is not None,
                     "duration_minutes": int(show.duration.total_seconds() // 60)},
        "releases": [{"id": r.id, "name": r.name, "kind": r.kind, "url": r.url,
                      "regions": sorted(r.regions), "regions_text": r.regions_text,
                      "precision": r.precision}
                     for r in show.releases],
        "feeds": {code: feed_url(code.lower(), show.id) for code in sorted(show.regions)},
    }


def search_entry(show: Show, season, watchable: bool | None, releases: tuple[str, ...],
                 url: str) -> dict:
    """A show as a search finds it: titles, season, and whether it is watchable where asked."""
    return {"id": show.id, "title": dict(show.title),
            "derived_titles": sorted(show.derived_titles),
            "season": season.slug if season else None, "url": url,
            "watchable": watchable, "releases": list(releases)}


def airing_entry(airing: Airing, zone: ZoneInfo | None, lang: str | None,
                 feed_url: str | None) -> dict:
    """One airing; times in `zone`, or in the release's own zone when none is asked for. An
    airing whose day alone is known has its `date` and no times: null, never midnight UTC."""
    zone = zone or airing.release.timezone
    start, end = airing.start.astimezone(zone), airing.end.astimezone(zone)
    known = airing.time_known
    return {
        "show_id": airing.show.id,
        "show_title": airing.show.name(lang),
        # A long runner's episode has no number the data supports: its date in Japan instead.
        "episode": airing.episode.number if airing.episode.aired is None else None,
        "episode_date": airing.episode.aired.isoformat() if airing.episode.aired else None,
        "episode_title": airing.episode.title(lang),
        "release_id": airing.release.id,
        "release_name": airing.release.name,
        "release_kind": airing.release.kind,
        "time_known": known,
        "date": (start.date() if known else airing.day).isoformat(),
        "start": rfc3339(start) if known else None,
        "end": rfc3339(end) if known else None,
        "start_utc": rfc3339(airing.start_utc) if known else None,
        "zone": zone.key,
        "zone_abbreviation": start.strftime("%Z") if known else None,
        "moved": airing.moved,
        "delayed": airing.shifted,
        "provenance": as_json(of_airing(airing)),
        "uid": airing.uid,
        "feed_url": feed_url,
    }


def feed_urls(airings: list[Airing], region: str | None, feed_url: FeedUrl) -> list[str | None]:
    """The feed each of a show's airings appears in, in `region` or else in the one region its
    release is watchable in: the show's feed there when the airing is its episode's earliest
    there (what that feed holds by default), else the show's feed for its release
    (`?release=`). None where no one region is named (a stream watchable in 200 countries is
    in 200 feeds: ask with `region`) or the release cannot be watched in the region."""
    chosen: dict[str, set[int]] = {}
    found = []
    for airing in airings:
        regions = airing.release.regions
        code = region or (next(iter(regions)) if len(regions) == 1 else None)
        if code is None or not airing.release.watchable_in(code):
            found.append(None)
            continue
        if code not in chosen:
            chosen[code] = set(map(id, select_airings(airings, code)))
        url = feed_url(code.lower(), airing.show.id)
        found.append(url if id(airing) in chosen[code] else f"{url}?release={airing.release.id}")
    return found


def schedule(published: Published, query: ScheduleQuery, feed_url: FeedUrl) -> dict:
    """The airings a query asks for, ordered by start, then show, then episode."""
    show_ids = query.show_ids or tuple(published.catalogue.shows)
    # Only the shows that can air in the window are expanded, and long runners only for it.
    window = (query.start or datetime.min.replace(tzinfo=UTC),
              query.end or datetime.max.replace(tzinfo=UTC))
    if query.region is not None:
        airings = published.selection(query.region.code, show_ids, query.release_ids,
                                      query.all_releases, window)
    else:
        airings = [a for a in published.airings(show_ids, window)
                   if query.release_ids is None or a.release.id in query.release_ids]
    region = query.region.code if query.region else None
    document = {
        "region": region,
        "tz": query.zone.key,
        "from": _in_zone(query.start, query.zone),
        "to": _in_zone(query.end, query.zone),
        "airings": [airing_entry(a, query.zone, query.lang,
                                 feed_url(region.lower(), a.show.id) if region else None)
                    for a in airings],
    }
    why = ended_before(published, window[0]) if not airings else None
    if why:
        document["note"] = why      # empty because the imported data ends before the window
    return with_attribution(document, (a.show for a in airings))


def with_attribution(document: dict, shows) -> dict:
    """The document, with the credit its imported data needs (CC BY 4.0) as a last field
    `attribution`; unchanged when it holds no imported data."""
    credit = attribution(shows)
    if credit is not None:
        document["attribution"] = credit.as_json()
    return document

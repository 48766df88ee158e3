"""Feeds: the calendar of a region, or of one show in a region, joined from cached event bytes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from . import ics
from .attribution import attribution
from .feed_text import left_out_note, region_feed_header, show_feed_header
from ..i18n import translations
from ..errors import NotFound
from ..schedule.expand import airing_order
from ..schedule.model import Airing, Show
from ..query.feed import FeedQuery
from ..query.values import check_releases
from ..publish.published import Published
from ..schedule.regions import Country
from ..publish.selection import other_releases, where_watchable


@dataclass(frozen=True)
class FeedSettings:
    """What the deployment decides: how often clients should refresh, how big a feed may be."""

    refresh: timedelta
    max_bytes: int


@dataclass(frozen=True)
class Feed:
    body: bytes
    last_modified: datetime
    filename: str


def show_feed(published: Published, region: Country, show_id: str, query: FeedQuery, *,
              now: datetime, url: str, settings: FeedSettings) -> Feed:
    show = published.catalog.show(show_id)
    require_watchable(show, region)
    name, about = show_feed_header(show, region, query.lang)
    return _feed(published, region, (show,), query, now=now, url=url, settings=settings,
                 name=name, about=about, filename=f"{show.id}-{region.code.lower()}.ics")


def require_watchable(show: Show, region: Country) -> None:
    """NotFound unless some release of the show can be watched in the region."""
    if region.code not in show.regions:
        raise NotFound(f"{show.name()} cannot be watched in {region.name} ({region.code}) "
                       f"on any release calfeed knows of; where it can: "
                       f"{where_watchable(show)}")


def region_feed(published: Published, region: Country, query: FeedQuery, *,
                now: datetime, url: str, settings: FeedSettings) -> Feed:
    shows = published.catalog.shows_in(region.code)
    name, about = region_feed_header(region, query.lang)
    return _feed(published, region, shows, query, now=now, url=url, settings=settings,
                 name=name, about=about, filename=f"calfeed-{region.code.lower()}.ics")


def chosen_feed(published: Published, region: Country,
                choices: Mapping[str, frozenset[str] | None], query: FeedQuery, *,
                now: datetime, url: str, settings: FeedSettings, name: str, about: str,
                filename: str, generation: int = 0) -> Feed:
    """A feed of these shows in a region, each show on the releases chosen for it (None: the
    earliest watchable), one event an episode: the entry point of personal calendars.

    `generation` (a counter of the calendar's edits that only rises) is added to every
    SEQUENCE, so a switch of platform, which changes no airing, is still seen as a change.
    Unknown shows are NotFound; `query.release_ids` and `releases=all` do not apply here.
    """
    airings: list[Airing] = []
    for show_id, release_ids in sorted(choices.items()):
        show = published.catalog.show(show_id)
        if release_ids is not None:
            # Stored choices: the data may have changed since the calendar was saved.
            check_releases(frozenset(release_ids), (show,), region)
        airings += published.selection(region.code, (show.id,), release_ids, False)
    airings.sort(key=airing_order)
    plain = dataclasses.replace(query, release_ids=None, all_releases=False)
    return _render(published, region, airings, plain, now=now, url=url, settings=settings,
                   name=name, about=about, filename=filename, generation=generation)


def _feed(published: Published, region: Country, shows: tuple[Show, ...], query: FeedQuery, *,
          now: datetime, url: str, settings: FeedSettings, name: str, about: str,
          filename: str) -> Feed:
    # query.release_ids were checked against these shows when the query was parsed.
    airings = published.selection(region.code, tuple(s.id for s in shows), query.release_ids,
                                  query.all_releases)
    return _render(published, region, airings, query, now=now, url=url, settings=settings,
                   name=name, about=about, filename=filename)


def _render(published: Published, region: Country, airings: list[Airing], query: FeedQuery, *,
            now: datetime, url: str, settings: FeedSettings, name: str, about: str,
            filename: str, generation: int = 0) -> Feed:
    if query.past_days is not None:
        horizon = now - timedelta(days=query.past_days)
        airings = [a for a in airings if a.end >= horizon]
    events = [_event_bytes(published, a, region, query, generation) for a in airings]
    kept, left_out = _within_budget(airings, events, now, settings.max_bytes)
    note = left_out_note(left_out, settings.max_bytes, query.lang)
    # Imported data in the feed is credited as its licence asks (render/attribution.py).
    credit = attribution(airings[i].show for i in kept)
    credit_text = " " + credit.text(translations(query.lang)) if credit else ""
    header = ics.CalendarHeader(name=name, description=about + note + credit_text,
                                refresh=settings.refresh, url=url)
    body = ics.join_calendar(ics.calendar_head(header), [events[i] for i in kept])
    events_here = ics.events_of(published)
    changed = [events_here.revision(airings[i], event_uid(airings[i], region, query)).modified
               for i in kept]
    return Feed(body=body, last_modified=max([published.first_loaded, *changed]),
                filename=filename)


def event_uid(airing: Airing, region: Country, query: FeedQuery) -> str:
    """One event per release with every release; else one per episode in the region, whichever
    release is picked (docs/design.md, "Event identity")."""
    return airing.uid if query.all_releases else airing.episode_uid(region.code)


def _event_bytes(published: Published, airing: Airing, region: Country,
                 query: FeedQuery, generation: int = 0) -> bytes:
    others = other_releases(airing.show, airing.release, region.code)
    uid = event_uid(airing, region, query)
    events = ics.events_of(published)
    if query.all_day_zone is not None:
        day = airing.start.astimezone(query.all_day_zone).date()
        event = events.all_day_event(airing, uid, query.lang, others, day, generation)
    else:
        event = events.event(airing, uid, query.lang, others, generation)
    return ics.with_alarms(event, b"".join(ics.alarm_block(m, query.lang) for m in query.alarms))


def _within_budget(airings: list[Airing], events: list[bytes], now: datetime,
                   max_bytes: int) -> tuple[list[int], int]:
    """Indexes of the events to keep: drop ended airings oldest first, then the furthest ahead.

    The room left for the calendar's own lines is a fixed allowance, so the choice does not
    depend on the note that says how many were left out.
    """
    allowance = 2_000
    total = allowance + sum(map(len, events))
    if total <= max_bytes:
        return list(range(len(events))), 0
    ended = sorted((i for i, a in enumerate(airings) if a.end_utc <= now),
                   key=lambda i: airings[i].start_utc)
    upcoming = sorted((i for i, a in enumerate(airings) if a.end_utc > now),
                      key=lambda i: airings[i].start_utc, reverse=True)
    dropped = set()
    for index in ended + upcoming:
        if total <= max_bytes:
            break
        dropped.add(index)
        total -= len(events[index])
    return [i for i in range(len(events)) if i not in dropped], len(dropped)

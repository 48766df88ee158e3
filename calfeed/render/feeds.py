"""Feeds: the calendar of a region, or of one show in a region, joined from cached event bytes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from . import ics
from .attribution import attribution
from .data_end import ended_before
from .feed_text import left_out_note, region_feed_header, show_feed_header
from ..i18n import translations
from ..errors import NotFound
from ..schedule.expand import airing_order
from ..schedule.model import Airing, Show
from ..query.feed import FeedQuery
from ..query.values import check_releases
from ..publish.calendar_edits import UNEDITED, Edit
from ..publish.published import Published, Window
from ..schedule.regions import Country
from ..publish.selection import other_releases, region_window, where_watchable


# Room kept for the calendar's own lines when filling the size budget: fixed, so that which
# events fit does not depend on the note saying how many did not.
ALLOWANCE = 2_000


@dataclass(frozen=True)
class FeedSettings:
    """What the deployment decides: how often clients should refresh, how big a feed may be."""

    refresh: timedelta
    max_bytes: int
    event_cache_bytes: int = ics.EVENT_CACHE_MAX_BYTES   # rendered events kept per version


@dataclass(frozen=True)
class FeedOptions:
    """What a feed is made for, besides the data: built once by its caller and passed down."""

    region: Country
    query: FeedQuery
    now: datetime
    url: str                    # the feed's own address, which it names
    settings: FeedSettings


@dataclass(frozen=True)
class FeedTitle:
    """What a feed calls itself, and the file name it is saved under."""

    name: str
    about: str
    filename: str


@dataclass(frozen=True)
class Feed:
    body: bytes
    last_modified: datetime
    filename: str


def show_feed(published: Published, show_id: str, options: FeedOptions) -> Feed:
    region, lang = options.region, options.query.lang
    show = published.catalogue.show(show_id)
    require_watchable(show, region)
    name, about = show_feed_header(show, region, lang)
    if not any(r.dated for r in show.releases if r.watchable_in(region.code)):
        # No event will carry the credit, yet the title and platforms are the dataset's.
        credit = attribution((show,))
        about += " " + credit.text(translations(lang)) if credit else ""
    return _feed(published, (show,), options,
                 FeedTitle(name, about, f"{show.id}-{region.code.lower()}.ics"))


def require_watchable(show: Show, region: Country) -> None:
    """NotFound unless some release of the show can be watched in the region."""
    if region.code not in show.regions:
        raise NotFound(f"{show.name()} cannot be watched in {region.name} ({region.code}) "
                       f"on any release calfeed knows of; where it can: "
                       f"{where_watchable(show)}")


def region_feed(published: Published, options: FeedOptions) -> Feed:
    region = options.region
    name, about = region_feed_header(region, options.query.lang)
    return _feed(published, published.catalogue.shows_in(region.code), options,
                 FeedTitle(name, about, f"calfeed-{region.code.lower()}.ics"),
                 window=region_window(options.now))


def chosen_feed(published: Published, choices: Mapping[str, frozenset[str] | None],
                options: FeedOptions, title: FeedTitle,
                edits: Mapping[str, Edit] | None = None) -> Feed:
    """A feed of these shows in a region, each show on the releases chosen for it (None: the
    earliest watchable), one event an episode: the entry point of personal calendars.

    `edits` gives a show's edits in the calendar (a counter that only rises, and the last
    one's time; none: unedited): they raise the SEQUENCE and LAST-MODIFIED of that show's
    events only, so a switch of platform, which changes no revision of the data, is seen as a
    change, and the other shows' events stay as they were.
    Unknown shows are NotFound; `query.release_ids` and `releases=all` do not apply here.
    """
    region = options.region
    airings: list[Airing] = []
    for show_id, release_ids in sorted(choices.items()):
        show = published.catalogue.show(show_id)
        if release_ids is not None:
            # Stored choices: the data may have changed since the calendar was saved.
            check_releases(frozenset(release_ids), (show,), region)
        airings += published.selection(region.code, (show.id,), release_ids, False)
    airings.sort(key=airing_order)
    plain = dataclasses.replace(options.query, release_ids=None, all_releases=False)
    return _render(published, airings, dataclasses.replace(options, query=plain), title, edits)


def _feed(published: Published, shows: tuple[Show, ...], options: FeedOptions,
          title: FeedTitle, window: Window | None = None) -> Feed:
    # query.release_ids were checked against these shows when the query was parsed.
    query = options.query
    airings = published.selection(options.region.code, tuple(s.id for s in shows),
                                  query.release_ids, query.all_releases, window)
    if not airings and window is not None:
        # Empty because the imported data ends before the window: the description says so.
        why = ended_before(published, window[0], query.lang)
        title = dataclasses.replace(title, about=f"{title.about} {why}") if why else title
    return _render(published, airings, options, title)


def _render(published: Published, airings: list[Airing], options: FeedOptions,
            title: FeedTitle, edits: Mapping[str, Edit] | None = None) -> Feed:
    region, query, now, settings = options.region, options.query, options.now, options.settings
    if query.past_days is not None:
        horizon = now - timedelta(days=query.past_days)
        airings = [a for a in airings if a.end >= horizon]
    cache = ics.events_of(published, settings.event_cache_bytes)
    edits = edits or {}
    events = _within_budget(airings,
                            lambda a: _event_bytes(cache, a, region, query, _edit(edits, a)),
                            now, settings.max_bytes)
    kept = sorted(events)
    left_out = len(airings) - len(kept)
    note = left_out_note(left_out, settings.max_bytes, query.lang)
    # Imported data in the feed is credited as its licence asks (render/attribution.py).
    credit = attribution(airings[i].show for i in kept)
    credit_text = " " + credit.text(translations(query.lang)) if credit else ""
    header = ics.CalendarHeader(name=title.name, description=title.about + note + credit_text,
                                refresh=settings.refresh, url=options.url)
    body = ics.join_calendar(ics.calendar_head(header), [events[i] for i in kept])
    changed = [_edit(edits, airings[i]).applied(
                   cache.revision(airings[i], event_uid(airings[i], region, query))).modified
               for i in kept]
    return Feed(body=body, last_modified=max([published.first_loaded, *changed]),
                filename=title.filename)


def _edit(edits: Mapping[str, Edit], airing: Airing) -> Edit:
    return edits.get(airing.show.id, UNEDITED)


def event_uid(airing: Airing, region: Country, query: FeedQuery) -> str:
    """One event per release with every release; else one per episode in the region, whichever
    release is picked (docs/design.md, "Event identity")."""
    return airing.uid if query.all_releases else airing.episode_uid(region.code)


def _event_bytes(events: ics.EventCache, airing: Airing, region: Country,
                 query: FeedQuery, edit: Edit = UNEDITED) -> bytes:
    others = other_releases(airing.show, airing.release, region.code)
    uid = event_uid(airing, region, query)
    if query.all_day_zone is not None and airing.time_known:
        day = airing.start.astimezone(query.all_day_zone).date()
        event = events.all_day_event(airing, uid, query.lang, others, day, edit)
    else:
        event = events.event(airing, uid, query.lang, others, edit)
    if not airing.time_known:
        return event    # "starts in 15 minutes" would name a time nobody announced
    return ics.with_alarms(event, b"".join(ics.alarm_block(m, query.lang) for m in query.alarms))


def _within_budget(airings: list[Airing], render, now: datetime,
                   max_bytes: int) -> dict[int, bytes]:
    """The events to keep, by index, rendered: upcoming airings soonest first, then ended ones
    latest first, until the next would pass the budget. Only those are rendered, so a feed of
    thousands of airings costs what its budget holds."""
    ended = sorted((i for i, a in enumerate(airings) if a.end_utc <= now),
                   key=lambda i: airings[i].start_utc)
    upcoming = sorted((i for i, a in enumerate(airings) if a.end_utc > now),
                      key=lambda i: airings[i].start_utc, reverse=True)
    room = max_bytes - ALLOWANCE
    kept: dict[int, bytes] = {}
    # The reverse of the order events are left out in: ended ones oldest first, then the
    # furthest ahead.
    for index in reversed(ended + upcoming):
        event = render(airings[index])
        if len(event) > room:
            break
        kept[index] = event
        room -= len(event)
    return kept

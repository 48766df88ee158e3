"""iCalendar rendering: each event's bytes made once per data version, feeds joined from them.

icalendar does the RFC 5545 chores (escaping, folding at 75 octets between characters, CRLF).
Because a render costs about 0.2 ms an event and a join of cached bytes microseconds, events
are rendered once per (event, language, other releases in the region) and kept; a request
only picks and joins them, splicing in the few lines that vary (times for all-day events,
alarms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Mapping

from icalendar import Calendar, vDate, vDuration, vText
from icalendar.prop import TypesFactory

from .folding import fold
from ..lru import BoundedLRU
from ..i18n import release_name, translations
from .provenance import broadcast_bound, of_airing, sentence
from ..schedule.model import Airing, Release
from ..publish.calendar_edits import UNEDITED, Edit
from ..publish.revisions import Revision

CRLF = b"\r\n"
BEGIN_EVENT = b"BEGIN:VEVENT\r\n"
END_EVENT = b"END:VEVENT\r\n"
END_CALENDAR = b"END:VCALENDAR\r\n"
PRODID = "-//calfeed//calfeed anime release calendar//EN"
PROPERTY_TYPES = TypesFactory()   # icalendar's map from a property name to its value type
# Bytes of rendered events a worker keeps per data version (config EVENT_CACHE_MAX_BYTES).
# Every show feed of the whole imported catalogue asked once keeps about 52 MB of them (53,500
# events); each region, language and personal calendar's edit count makes events of its own.
EVENT_CACHE_MAX_BYTES = 64_000_000
# What an entry costs beside its bytes: the key (a tuple, its UID string and the tuple of other
# releases' ids), the bytes object's header, the store's (value, cost) pair and the ordered
# dict's slot and link: about 500
# measured with tracemalloc, which tests/test_event_cache.py checks the bound against.
ENTRY_BYTES = 520


@dataclass(frozen=True)
class CalendarHeader:
    """What a feed says about itself: its name, description, refresh interval and own URL."""

    name: str
    description: str
    refresh: timedelta
    url: str


def summary(airing: Airing, lang: str | None) -> str:
    """'Metallic Rouge #3: Marginal City', in the language asked for, else English; an episode
    known by its date has no number to show (the event's date says it)."""
    title = airing.episode.title(lang)
    text = airing.show.name(lang)
    if airing.episode.aired is None:
        text = f"{text} #{airing.episode.number}"
    return f"{text}: {title}" if title else text


def description(airing: Airing, lang: str | None, others: tuple[Release, ...]) -> str:
    """The event's lines in calfeed's words, from the translations for `lang` (i18n.py)."""
    messages = translations(lang)
    _, pgettext = messages.gettext, messages.pgettext
    release = airing.release
    show, number, title = airing.show.name(lang), airing.episode.number, airing.episode.title(lang)
    if airing.episode.aired is not None:
        lines = [_("{show}, the episode of {date} (Japan)").format(
            show=show, date=airing.episode.aired.isoformat())]
    else:
        lines = [_("{show}, episode {number}: {title}").format(show=show, number=number,
                                                              title=title)
                 if title else _("{show}, episode {number}").format(show=show, number=number)]
    lines.append(_("On {release} ({kind}).").format(release=release_name(release.name, messages),
                                                    kind=release_kind(release, messages)))
    if not airing.time_known:
        # A day without its time is never given a time: the event is all-day, and the one
        # bound the data supports is said in words.
        lines.append(_("The time is not announced: the data gives this day only."))
        bound = broadcast_bound(airing)
        if bound is not None:
            lines.append(_("Not before the Japanese broadcast of this episode, {moment} UTC.")
                         .format(moment=bound.strftime("%Y-%m-%d %H:%M")))
    if airing.moved:
        lines.append(_("This episode was moved from its regular slot."))
    elif airing.shifted:
        lines.append(_("Delayed: a week was skipped before this episode."))
    if others:
        # The separator is a message too: Japanese lists with 、 not a comma.
        listed = pgettext("list separator", ", ").join(
            _("{release} ({kind})").format(release=release_name(r.name, messages),
                                       kind=release_kind(r, messages))
            for r in others)
        lines.append(_("Also in this region: {releases}.").format(releases=listed))
    if airing.show.studio:
        lines.append(_("Studio: {studio}.").format(studio=airing.show.studio))
    # Every event says where its time comes from (docs/catalogue.md, "Provenance").
    lines.append(sentence(of_airing(airing), messages))
    return "\n".join(lines)


def release_kind(release: Release, messages) -> str:
    """'broadcast', 'streaming' or 'release' (a film's or OVA's dated release, imported) in the
    language of `messages`."""
    # Each kind spelled out, so that message extraction finds it.
    kinds = {"broadcast": messages.pgettext("release kind", "broadcast"),
             "streaming": messages.pgettext("release kind", "streaming"),
             "release": messages.pgettext("release kind", "release")}
    return kinds.get(release.kind, release.kind)


def content_line(name: str, value) -> bytes:
    """One property as icalendar writes it: typed by its name, escaped, folded at 75 octets
    between characters, ending in CRLF (what Component.to_ical does for each property)."""
    typed = PROPERTY_TYPES.for_property(name)(value)
    # "NAME:value", as Contentline.from_parts joins a property without parameters, without
    # making an empty Parameters and a Contentline for each line (a fifth of a render);
    # tests/test_folding.py compares the two.
    text = typed.to_ical().decode("utf-8")
    assert "\n" not in text, "an unescaped line break"     # Contentline's own check
    # icalendar's Contentline.to_ical() folds; fold() is the same rule, faster (folding.py).
    return fold(f"{name}:{text}").encode("utf-8") + CRLF


# Most lines of an event repeat across thousands of events (LOCATION, STATUS, DTSTAMP, …):
# made once, they cost a dictionary lookup after that.
shared_line = lru_cache(maxsize=16384)(content_line)


def render_event(airing: Airing, uid: str, revision: Revision, lang: str | None,
                 others: tuple[Release, ...]) -> bytes:
    """The VEVENT without DTSTART/DTEND, which `with_times` puts in.

    Built line by line rather than through icalendar's Event, whose generic machinery costs
    five times as much; the lines, their escaping and folding are icalendar's all the same,
    and in the order Event.to_ical writes them.
    """
    url = airing.release.url or airing.show.links.get("official")
    return b"".join([
        BEGIN_EVENT,
        content_line("SUMMARY", summary(airing, lang)),
        # DTSTAMP is the data's change time, not the request's: same data, same bytes.
        shared_line("DTSTAMP", revision.modified),
        content_line("UID", uid),
        shared_line("SEQUENCE", revision.sequence),
        content_line("DESCRIPTION", description(airing, lang, others)),
        shared_line("LAST-MODIFIED", revision.modified),
        shared_line("LOCATION", release_name(airing.release.name, translations(lang))),
        # A time the import had to guess is tentative: clients may show it as such.
        shared_line("STATUS", "TENTATIVE" if of_airing(airing).tentative else "CONFIRMED"),
        # An episode on TV should not make its viewer look busy to colleagues.
        shared_line("TRANSP", "TRANSPARENT"),
        shared_line("URL", url) if url else b"",
        END_EVENT,
    ])


def time_lines(airing: Airing) -> bytes:
    """An airing's DTSTART/DTEND: its instants, or for an airing whose day alone is known, that
    day as an all-day event (never midnight UTC, which is the day before in the Americas)."""
    return timed_lines(airing) if airing.time_known else all_day_lines(airing.day)


def timed_lines(airing: Airing) -> bytes:
    """DTSTART/DTEND in UTC: unambiguous in every client, no VTIMEZONE needed."""
    return (b"DTSTART:" + utc_text(airing.start_utc) + CRLF +
            b"DTEND:" + utc_text(airing.end_utc) + CRLF)


def utc_text(instant: datetime) -> bytes:
    """What vDatetime(instant).to_ical() writes for a UTC instant ('20240110T155500Z'), without
    its Parameters and time zone checks: they were a third of an event's render.
    tests/test_folding.py compares the two."""
    assert instant.utcoffset() == timedelta(0), "airings carry their instants in UTC"
    return (f"{instant.year:04}{instant.month:02}{instant.day:02}T{instant.hour:02}"
            f"{instant.minute:02}{instant.second:02}Z").encode("ascii")


def all_day_lines(day: date) -> bytes:
    return (b"DTSTART;VALUE=DATE:" + vDate(day).to_ical() + CRLF +
            b"DTEND;VALUE=DATE:" + vDate(day + timedelta(days=1)).to_ical() + CRLF)


def with_times(rendered: bytes, time_lines: bytes) -> bytes:
    assert rendered.startswith(BEGIN_EVENT)
    return BEGIN_EVENT + time_lines + rendered[len(BEGIN_EVENT):]


@lru_cache(maxsize=256)
def alarm_block(minutes: int, lang: str | None = None) -> bytes:
    """One VALARM that fires `minutes` before the start, its text in `lang`."""
    # "PT0S" rather than icalendar's "P0D" for an alarm at the start: the form clients write.
    trigger = vDuration(timedelta(minutes=-minutes)).to_ical() if minutes else b"PT0S"
    messages = translations(lang)
    label = (messages.ngettext("Starts in {minutes} minute", "Starts in {minutes} minutes",
                               minutes).format(minutes=minutes)
             if minutes else messages.gettext("Starting now"))
    return (b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n" + content_line("DESCRIPTION", label) +
            b"TRIGGER:" + trigger + b"\r\nEND:VALARM\r\n")


def with_alarms(event: bytes, alarms: bytes) -> bytes:
    if not alarms:
        return event
    assert event.endswith(END_EVENT)
    return event[:-len(END_EVENT)] + alarms + END_EVENT


# Few entries: the response cache already keeps whole feeds, so this serves the feeds it does
# not (personal ones, a feed made again after its entry expired), and its keys hold the feed's
# URL, which a request can vary without end (4,096 entries held about 4 MB and were never hit
# behind the response cache).
HEADS_KEPT = 256


@lru_cache(maxsize=HEADS_KEPT)
def calendar_head(header: CalendarHeader) -> bytes:
    """VCALENDAR up to its first component (about a millisecond to make)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar types NAME and X- properties as unknown and would not escape them (a title
    # with a line break would end the line); they are TEXT.
    calendar.add("name", vText(header.name))
    calendar.add("x-wr-calname", vText(header.name))
    calendar.add("description", header.description)
    calendar.add("x-wr-caldesc", vText(header.description))
    calendar.add("refresh-interval", header.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(header.refresh).to_ical().decode())
    calendar.add("source", header.url, parameters={"VALUE": "URI"})
    calendar.add("url", header.url, parameters={"VALUE": "URI"})
    rendered = calendar.to_ical()
    assert rendered.endswith(END_CALENDAR)
    return rendered[:-len(END_CALENDAR)]


def join_calendar(head: bytes, events: list[bytes]) -> bytes:
    return head + b"".join(events) + END_CALENDAR


def events_of(published, max_bytes: int = EVENT_CACHE_MAX_BYTES) -> EventCache:
    """The event cache of a published data version: the render side keeps it beside the data
    (`Published.beside`), so the data layer never imports a renderer. The first caller's bound
    is the one kept (every caller of one app passes its setting)."""
    return published.beside("events", lambda: EventCache(published.revisions.events,
                                                       published.revisions.shared, max_bytes))


class EventCache:
    """Rendered events of one published data version, made on first use and kept, the least
    recently used dropped once they pass `max_bytes` (made again, byte for byte, if asked).

    An event is the airing under a UID: its release's own (`Airing.uid`) or its episode's in a
    region (`Airing.episode_uid`), which takes the episode's revision (`Airing.episode_key`).
    """

    def __init__(self, revisions: Mapping[str, Revision],
                 shared: Mapping[str, Revision] | None = None,
                 max_bytes: int = EVENT_CACHE_MAX_BYTES):
        self.revisions = revisions
        self.shared = shared or {}      # imported shows: one revision for all their events
        self.max_bytes = max_bytes
        self._events: BoundedLRU[bytes] = BoundedLRU(max_bytes)

    @property
    def kept_bytes(self) -> int:
        """What the kept events cost, as counted against max_bytes."""
        return self._events.cost

    def __len__(self) -> int:
        return len(self._events)

    def event(self, airing: Airing, uid: str, lang: str | None,
              others: tuple[Release, ...], edit: Edit = UNEDITED) -> bytes:
        """The event (timed, or all-day for a dated airing); its bytes change only with the
        data (a new cache) and, in a personal calendar, with its edits (`edit`). Rendered
        outside the store's lock: two threads may both render an event, never wait."""
        key = (uid, airing.release.id, lang, tuple(r.id for r in others), edit)

        def make() -> bytes:
            revision = edit.applied(self.revision(airing, uid))
            return with_times(render_event(airing, uid, revision, lang, others),
                              time_lines(airing))
        return self._events.get_or_make(key, make, lambda found: len(found) + ENTRY_BYTES)

    def revision(self, airing: Airing, uid: str) -> Revision:
        """A release's event has its own revision; an episode's events share the episode's;
        every event of an imported show shares the show's."""
        found = self.revisions.get(airing.uid if uid == airing.uid else airing.episode_key)
        return found if found is not None else self.shared[airing.show.uid_key]

    def all_day_event(self, airing: Airing, uid: str, lang: str | None,
                      others: tuple[Release, ...], day: date, edit: Edit = UNEDITED) -> bytes:
        """The same event as a whole day in the viewer's zone: only its time lines differ."""
        timed = self.event(airing, uid, lang, others, edit)
        lines = time_lines(airing)
        assert timed.startswith(BEGIN_EVENT + lines)
        return BEGIN_EVENT + all_day_lines(day) + timed[len(BEGIN_EVENT) + len(lines):]

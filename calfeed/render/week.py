"""The week page as plain values: a region's airings over seven days, by day, with break weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..i18n import release_name, translations
from ..publish.published import Published
from ..schedule.model import Airing, Release, Show
from ..schedule.regions import Country
from ..schedule.wallclock import UTC, WallTime, WallTimeGap, in_zone
from ..schedule.zones import zone_of
# countdown is the week page's too: its tests and callers find it here.
from .page_text import countdown, day_heading, weekday_short  # noqa: F401

WEEK = timedelta(days=7)
# Windows of airings are made in blocks of one week from a Monday, UTC (see _window).
BLOCK = timedelta(days=7)
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)   # a Monday
TOKYO = ZoneInfo("Asia/Tokyo")
# Japanese listings keep the small hours on the evening's broadcast day: 01:30 on Thursday is
# "Wednesday 25:30". Hours before 05:00 are written that way (stations' days start at 04:00 or
# 05:00; schedules here may say up to 29:59, see wallclock.py).
LISTING_DAY_STARTS = 5


@dataclass(frozen=True)
class WeekItem:
    """One episode's airing on the week page."""

    show_id: str
    show_title: str
    episode: int | None      # None for an episode known by its date (a long runner)
    episode_title: str | None
    release_id: str
    release_name: str
    start_utc: str           # RFC 3339, for <time datetime> and the browser's own zone
    end_utc: str
    time_text: str           # "13:25 EST", in the region's display zone
    status: str              # "upcoming", "on now" or "aired", as of the rendering
    countdown: str | None    # "in 3 h 20 min" for upcoming airings
    listing: str | None      # "Wed 24:55" for a Japanese broadcast
    moved: bool
    delayed: bool
    provenance: str          # where the time comes from: curated, dataset or inferred
    time_known: bool = True  # False: start_utc is the date the data gives, and no time


@dataclass(frozen=True)
class WeekDay:
    day: date
    heading: str             # "Wednesday, January 10"
    items: tuple[WeekItem, ...]


@dataclass(frozen=True)
class WeekBreak:
    """A show that airs the week before and the week after, but not in this one."""

    show_id: str
    show_title: str
    release_name: str
    skipped: tuple[date, ...]   # the broadcast days the schedule skips this week, when it says


@dataclass(frozen=True)
class Week:
    region: Country
    zone: str
    start: date
    begin_utc: str               # the week's first and last instants (midnights in the zone)
    end_utc: str
    days: tuple[WeekDay, ...]
    breaks: tuple[WeekBreak, ...]
    release: str | None          # the platform filter, if any
    platforms: tuple[tuple[str, str], ...]   # (release id, name) of the region's platforms

    @property
    def previous(self) -> date:
        return self.start - WEEK

    @property
    def next(self) -> date:
        return self.start + WEEK

    @property
    def count(self) -> int:
        return sum(len(day.items) for day in self.days)


def today_in(region: Country, now: datetime, zone: ZoneInfo | None = None) -> date:
    """The date it is in `zone`, else the region's display zone: the week's default first day."""
    return now.astimezone(zone or _zone(region)).date()


def platforms(published: Published, region: Country) -> tuple[tuple[str, str], ...]:
    """Every release id watchable in the region with a name for it, sorted by name."""
    def make():
        # Once per data version for every region: where each release id can be watched (the
        # catalogue has thousands of shows; a region is then a look at a few hundred ids).
        # The imported releases of a site share one set of regions: each distinct set is
        # merged once, not once per release (35,000 releases, many of 200 countries).
        sets: dict[str, tuple[str, set[frozenset[str]]]] = {}
        for show in published.catalogue.shows.values():
            for release in show.releases:
                sets.setdefault(release.id, (release.name, set()))[1].add(release.regions)
        return {release_id: (name, frozenset().union(*regions))
                for release_id, (name, regions) in sets.items()}
    where = published.beside("week-platform-regions", make)
    return published.memo(("week-platforms", region.code), lambda: tuple(sorted(
        ((release_id, name) for release_id, (name, regions) in where.items()
         if region.code in regions), key=lambda item: (item[1].casefold(), item[0]))))


def week(published: Published, region: Country, start: date, now: datetime,
         release: str | None = None, zone: ZoneInfo | None = None, words: str = "en") -> Week:
    """Seven days from `start` (midnight in `zone`, the viewer's when the page's script named
    it, else the region's display zone) of the region's airings: each episode once, at its
    earliest release there (or on `release` only); the page's words, and the titles where the
    show has them, in `words`."""
    zone = zone or _zone(region)
    begin = datetime.combine(start, time(0), zone).astimezone(UTC)
    end = datetime.combine(start + WEEK, time(0), zone).astimezone(UTC)
    # The region's airings from a week before to a week after: this week's items, and the
    # neighbours that tell a break week from a show that ended or has not begun. Each episode
    # once, at its earliest release over the whole show (a stream may follow weeks later).
    code = region.code
    chosen = [a for a, earlier in _window(published, begin - WEEK, end + WEEK)
              if a.release.watchable_in(code)
              and (a.release.id == release if release is not None
                   else not any(r.watchable_in(code) for r in earlier))]
    # A dated airing (its day alone known) is in the week its day is, in any zone.
    this_week = [a for a in chosen if (begin <= a.start_utc < end if a.time_known
                                       else start <= a.day < start + WEEK)]
    listed = {a.show.id for a in this_week}
    around: dict[str, list[Airing]] = {}
    for airing in chosen:
        if airing.show.id not in listed:
            around.setdefault(airing.show.id, []).append(airing)
    breaks: list[WeekBreak] = []
    for airings in around.values():
        before = [a for a in airings if a.start_utc < begin]
        after = [a for a in airings if a.start_utc >= end]
        show = airings[0].show
        # A show every other week has no break in its weeks off.
        if before and after and _leader(show, before[-1].release)[0].every_days <= 7:
            breaks.append(_break(show, before[-1].release, begin, end, words))
    this_week.sort(key=lambda a: (a.latest_start, a.show.id, a.episode.number, a.release.id))
    by_day: dict[date, list[WeekItem]] = {start + timedelta(days=n): [] for n in range(7)}
    for airing in this_week:
        day = airing.start_utc.astimezone(zone).date() if airing.time_known else airing.day
        by_day[day].append(_item(airing, zone, now, words))
    # A day's dated airings (no time known) head it, as calendars list all-day events.
    days = tuple(WeekDay(day, day_heading(day, words),
                         tuple(sorted(items, key=lambda item: item.time_known)))
                 for day, items in by_day.items())
    return Week(region=region, zone=zone.key, start=start, begin_utc=_rfc3339(begin),
                end_utc=_rfc3339(end), days=days,
                breaks=tuple(sorted(breaks, key=lambda b: b.show_title.casefold())),
                release=release, platforms=platforms(published, region))


def listing_notation(airing: Airing, words: str = "en") -> str | None:
    """A Japanese broadcast as its listing writes it: 'Wed 24:55' for Thursday 00:55 in Tokyo."""
    if airing.release.kind != "broadcast" or airing.release.timezone.key != TOKYO.key:
        return None
    local = airing.start_utc.astimezone(TOKYO)
    hour = local.hour
    if hour < LISTING_DAY_STARTS:
        local, hour = local - timedelta(days=1), hour + 24
    return f"{weekday_short(local.date(), words)} {hour:02d}:{local:%M}"


def _item(airing: Airing, zone: ZoneInfo, now: datetime, words: str) -> WeekItem:
    local = airing.start_utc.astimezone(zone)
    name = release_name(airing.release.name, translations(words))
    if not airing.time_known:
        return WeekItem(
            show_id=airing.show.id, show_title=airing.show.name(words),
            episode=airing.episode.number if airing.episode.aired is None else None,
            episode_title=airing.episode.title(words),
            release_id=airing.release.id, release_name=name,
            start_utc=airing.day.isoformat(), end_utc=airing.day.isoformat(),
            time_text=translations(words).gettext("time not announced"), countdown=None,
            # No countdown to a time nobody gave; over once its day is over everywhere.
            status="aired" if now >= airing.over_by else "today" if now >= airing.start_utc else "",
            listing=None, moved=airing.moved, delayed=airing.shifted,
            provenance=airing.release.provenance, time_known=False)
    if now < airing.start_utc:
        status, counting = "upcoming", countdown(airing.start_utc, now, words)
    else:
        status, counting = ("on now" if now < airing.end_utc else "aired"), None
    return WeekItem(
        show_id=airing.show.id, show_title=airing.show.name(words),
        episode=airing.episode.number if airing.episode.aired is None else None,
        episode_title=airing.episode.title(words),
        release_id=airing.release.id, release_name=name,
        start_utc=_rfc3339(airing.start_utc), end_utc=_rfc3339(airing.end_utc),
        time_text=f"{local:%H:%M} {local:%Z}", status=status, countdown=counting,
        listing=listing_notation(airing, words), moved=airing.moved, delayed=airing.shifted,
        provenance=airing.release.provenance)


def _break(show: Show, release: Release, begin: datetime, end: datetime,
           words: str = "en") -> WeekBreak:
    """The break, with the broadcast days the schedule skips whose slot falls in this week
    (a following release takes its leader's skips, moved by its offset)."""
    leader, offset = _leader(show, release)
    skipped = []
    for day in leader.skip:
        try:
            slot = in_zone(WallTime(day, leader.start.hour, leader.start.minute),
                           leader.timezone).astimezone(UTC) + offset
        except WallTimeGap:
            continue
        if begin <= slot < end:
            skipped.append(day)
    return WeekBreak(show_id=show.id, show_title=show.name(words),
                     release_name=release_name(release.name, translations(words)),
                     skipped=tuple(skipped))


def _leader(show: Show, release: Release) -> tuple[Release, timedelta]:
    """The release whose own schedule a release keeps (itself, or the one it follows, and so
    on), with the offset from it."""
    offset = timedelta(0)
    while release.follows:
        offset += release.offset
        release = show.release(release.follows)
    return release, offset


def _window(published: Published, begin: datetime,
            end: datetime) -> list[tuple[Airing, tuple[Release, ...]]]:
    """Every airing starting in [begin, end), in start order, each with the releases airing
    its episode earlier (see _block), from blocks of BLOCK days kept per data version: making
    a block over the imported catalogue costs far more than rendering a page, pages leave the
    response cache after seconds, and neighbouring weeks and regions share blocks."""
    first = EPOCH + ((begin - EPOCH) // BLOCK) * BLOCK
    found: list[tuple[Airing, tuple[Release, ...]]] = []
    while first < end:
        block = published.memo(("week-block", first),
                               lambda first=first: _block(published, first, first + BLOCK))
        found += [pair for pair in block if begin <= pair[0].start_utc < end]
        first += BLOCK
    return found


def _block(published: Published, begin: datetime,
           end: datetime) -> list[tuple[Airing, tuple[Release, ...]]]:
    """Every airing starting in [begin, end), in start order, with the releases that air its
    episode before it (earlier start, then release id, as publish/selection.py orders), over
    the show's whole schedule: an airing is a region's choice when none of those is watchable
    there. Made once per block for every region. The episode's other releases either air in
    the block too (their instants are at hand) or before it or after it: which, is arithmetic
    on their wall times (ShowAirings.releases_before), not zoneinfo or a whole expansion."""
    airings = published.catalogue.airings
    found = published.airings(airings.shows_between(begin, end), (begin, end))
    episodes: dict[tuple[str, int], list[Airing]] = {}
    for airing in found:
        episodes.setdefault((airing.show.id, airing.episode.number), []).append(airing)
    earlier: dict[int, tuple[Release, ...]] = {}
    for (show_id, number), group in episodes.items():
        before = airings.releases_before(show_id, number, begin)
        group.sort(key=lambda a: (a.start_utc, a.release.id))
        for position, airing in enumerate(group):
            earlier[id(airing)] = before + tuple(a.release for a in group[:position])
    return [(airing, earlier[id(airing)]) for airing in found]


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _zone(region: Country) -> ZoneInfo:
    return zone_of(None, region)

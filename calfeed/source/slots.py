"""Where an imported show's broadcast episodes fall: its slot, how many, and by number or date."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ..schedule.model import Episode

TOKYO = ZoneInfo("Asia/Tokyo")
HORIZON = timedelta(days=28)       # open-ended shows: airings up to four weeks past now
MAX_EPISODES = 2000                # as schedule files (show_file.MAX_EPISODES)
LONG_RUNNER_AGE = timedelta(days=365)
# How far back a long runner known by its dates is listed (its slot may be from the 1960s).
HISTORY = timedelta(days=20 * 365)
ONE_COUR = 13
_PERIOD = re.compile(r"P(\d+)D")


class Skipped(ValueError):
    """An item the import leaves out, with the reason counted in `calfeed sources`."""


@dataclass(frozen=True)
class Slot:
    """The broadcast's weekly (or daily) slot as the dataset gives it.

    The recurrence's own start (`broadcast: R/<start>/P7D`) is the slot the show airs in now;
    `begin` is its first airing, which for a long runner was decades and several slots ago.
    first: the first airing placed on the slot. premiere: episode 1 aired at `begin`, a period
    or more before `first` (a premiere apart from the slot). by_date: the episodes are known
    by their date, not a number (a weekly count across years of breaks is no episode number).
    new: open-ended and under a year old at the dataset's newest start (runs a cour at most
    once the dataset is old). end: the last airing the dataset gives, None when open-ended.
    """


    begin: datetime
    first: datetime
    every: int
    premiere: bool
    by_date: bool
    new: bool
    end: datetime | None
    # The dataset's last airing is off the slot (another weekday or hour): the show moved
    # after the slot began, at a time the dataset does not say (ONE PIECE: Sunday 19:00, then
    # 23:15 for its last two years).
    end_off_slot: bool = False


def parse_instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant of the dataset ('2024-01-10T16:25:00.000Z'), or None when empty."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def period_days(broadcast: str | None) -> int | None:
    """The cadence of an 'R/start/P7D' in days; None for one airing (P0D, or no broadcast)."""
    if not broadcast:
        return None
    period = broadcast.rsplit("/", 1)[-1]
    match = _PERIOD.fullmatch(period)
    if not match:
        raise Skipped(f"cadence {period} is not a whole number of days")
    return int(match.group(1)) or None


def recurrence_start(broadcast: str | None) -> datetime | None:
    """The start an 'R/start/P7D' names, or None where it names none that can be read."""
    parts = (broadcast or "").split("/")
    try:
        return parse_instant(parts[1]) if len(parts) == 3 else None
    except ValueError:
        return None


def slot_of(item: dict, begin: datetime, every: int, as_of: datetime | None) -> Slot:
    """The slot of an item with a cadence: from its recurrence's start when that is later than
    `begin` (the show moved), else from `begin`."""
    end = parse_instant(item.get("end"))
    if end is not None and end < begin:
        raise Skipped("end before begin")
    period = timedelta(days=every)
    moved_to = recurrence_start(item.get("broadcast"))
    first, premiere = begin, False
    if moved_to is not None and moved_to > begin:
        # Within a period of begin the slot is the recurrence's (a corrected time); a period or
        # more later, begin was a premiere apart from the slot.
        first, premiere = moved_to, moved_to - begin >= period
    new = end is None and as_of is not None and begin > as_of - LONG_RUNNER_AGE
    long_runner = end is None and as_of is not None and not new
    by_date = long_runner or (premiere and first - begin > ONE_COUR * period)
    if by_date:
        premiere = False      # listed from the slot on; `begin` stays the show's premiere
    # An end up to an hour past a slot is the last episode's end time, which the dataset
    # often gives instead of its start.
    off = (end - first) % period if end is not None else timedelta(0)
    end_off_slot = timedelta(hours=1) < off < period - timedelta(hours=1)
    return Slot(begin, first, every, premiere, by_date, new, end, end_off_slot)


def episode_count(slot: Slot, now: datetime, as_of: datetime | None) -> int:
    """Airings on the slot (and the premiere) up to its end, or for an open-ended show up to
    HORIZON past `now`; a new open-ended show no more than ONE_COUR once HORIZON past `as_of`
    is behind (the dataset is old: every later airing would be a guess)."""
    step = timedelta(days=slot.every)

    def by(moment: datetime) -> int:
        return (max(moment, slot.first) - slot.first) // step + 1 + slot.premiere

    if slot.end is not None:
        return by(slot.end)
    if slot.new and as_of is not None:
        return min(by(now + HORIZON), max(ONE_COUR, by(as_of + HORIZON)))
    return by(now + HORIZON)


def placed(slot: Slot, now: datetime, as_of: datetime | None) -> tuple[datetime, int]:
    """The first airing on the slot and how many there are. A show known by its dates is
    listed from HISTORY before the dataset's newest start at the earliest (Sazae-san's slot
    is from 1969): fixed per dataset, so the list only grows with the days and no event is
    re-sent. Past MAX_EPISODES a show is skipped."""
    step = timedelta(days=slot.every)
    if slot.by_date and as_of is not None and slot.first < as_of - HISTORY:
        slot = replace(slot, first=slot.first + -((slot.first - (as_of - HISTORY)) // step) * step)
    count = episode_count(slot, now, as_of)
    if count > MAX_EPISODES:
        raise Skipped(f"more than {MAX_EPISODES} episodes at its cadence")
    return slot.first, count


def episodes(count: int, first: datetime | None = None, every: int | None = None,
             by_date: bool = False) -> tuple[Episode, ...]:
    """Episodes 1 to count; known by their date in Japan when `by_date`."""
    if not by_date:
        return tuple(Episode(n) for n in range(1, count + 1))
    day: date = first.astimezone(TOKYO).date()
    return tuple(Episode(n + 1, aired=day + timedelta(days=n * every)) for n in range(count))

"""Wall-clock times as broadcasters state them (hours 24-29 included), and their parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc

_WALL = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?")
_SHORT_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?")
_ISO_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?")
_CADENCE = re.compile(r"(\d+)\s*(day|days|week|weeks)")

# Domain limits (docs/schedule-format.md): broadcasts of the television and streaming era, far
# enough from the ends of Python's calendar that no sum of the limits below can overflow it.
FIRST_YEAR, LAST_YEAR = 1970, 2199
LONGEST_CADENCE_DAYS = 364            # 52 weeks: a yearly special is the rarest schedule
LONGEST_DURATION = timedelta(hours=24)
LONGEST_OFFSET = timedelta(days=30)   # a stream a month after the broadcast, or before it


@dataclass(frozen=True, order=True)
class WallTime:
    """A broadcast day and a time on it, where hours 24-29 fall early on the next calendar day.

    Japanese late-night schedules say "Wednesday 24:55" for Thursday 00:55: the day stays the
    one the programme belongs to, which is the day that skip lists name.
    """

    day: date
    hour: int
    minute: int

    def naive(self) -> datetime:
        """The calendar date and clock time this stands for, without a zone."""
        return datetime.combine(self.day, datetime.min.time()) + timedelta(
            hours=self.hour, minutes=self.minute)

    def plus_days(self, days: int) -> WallTime:
        return WallTime(self.day + timedelta(days=days), self.hour, self.minute)

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.hour:02d}:{self.minute:02d}"


class WallTimeGap(ValueError):
    """A wall time that the zone skips (clocks jump over it)."""


def parse_wall_time(text: str, *, time_required: bool = True) -> WallTime:
    """Parse 'YYYY-MM-DD HH:MM' (hours 0-29); raise ValueError with a message for people."""
    match = _WALL.fullmatch(text.strip())
    if not match or (time_required and match.group(4) is None):
        form = "YYYY-MM-DD HH:MM, for example 2024-01-10 24:55" if time_required else \
            "YYYY-MM-DD, for example 2024-02-07"
        raise ValueError(f"'{text}' is not written as {form}")
    year, month, day = (int(g) for g in match.group(1, 2, 3))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"years from {FIRST_YEAR} to {LAST_YEAR} only, not {year}: calfeed "
                         "lists broadcasts of that span")
    try:
        broadcast_day = date(year, month, day)
    except ValueError:
        raise ValueError(f"{match.group(1)}-{match.group(2)}-{match.group(3)} is not a date "
                         "on the calendar") from None
    if match.group(4) is None:
        return WallTime(broadcast_day, 0, 0)
    hour, minute = int(match.group(4)), int(match.group(5))
    if hour > 29:
        raise ValueError(f"hour {hour} is out of range: use 0-29 (24-29 are the early hours "
                         "of the next day, as in Japanese schedules)")
    if minute > 59:
        raise ValueError(f"minute {minute} is out of range: use 0-59")
    return WallTime(broadcast_day, hour, minute)


def parse_duration(text: str, *, signed: bool = False,
                   longest: timedelta = LONGEST_DURATION) -> timedelta:
    """Parse '30m', '1h', '1h30m' or ISO 8601 'PT1H30M' (and '-…', '0' when signed), at most
    `longest` either way; the limit is checked on the numbers, before any timedelta is made."""
    raw = text.strip()
    sign = 1
    if signed and raw.startswith("-"):
        sign, raw = -1, raw[1:]
    if signed and raw == "0":
        return timedelta(0)
    short = _SHORT_DURATION.fullmatch(raw)
    iso = _ISO_DURATION.fullmatch(raw.upper())
    if short and any(short.groups()):
        days, (hours, minutes) = 0, (int(g or 0) for g in short.groups())
    elif iso and any(iso.groups()) and not raw.upper().endswith("T"):
        days, hours, minutes = (int(g or 0) for g in iso.groups())
    else:
        days = None
    if days is not None:
        if (days * 24 + hours) * 60 + minutes > longest // timedelta(minutes=1):
            either = " either way" if signed else ""
            raise ValueError(f"at most {_spoken(longest)}{either}, not '{text}'")
        return sign * timedelta(days=days, hours=hours, minutes=minutes)
    allowed = "'30m', '1h', '1h30m' or 'PT1H30M'" + (", with '-' before it to go earlier"
                                                     if signed else "")
    raise ValueError(f"'{text}' is not a duration: write it like {allowed}")


def parse_cadence(text: str) -> int:
    """Parse 'N day(s)' or 'N week(s)' into a number of days."""
    match = _CADENCE.fullmatch(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"'{text}' is not a cadence: write '1 week', '2 weeks' or '1 day'")
    days = int(match.group(1)) * (7 if match.group(2).startswith("week") else 1)
    if days > LONGEST_CADENCE_DAYS:
        raise ValueError(f"at most {LONGEST_CADENCE_DAYS // 7} weeks, not '{text}'")
    return days


def _spoken(length: timedelta) -> str:
    hours = length // timedelta(hours=1)
    return f"{hours} hours" if hours < 48 else f"{length.days} days"


def in_zone(wall: WallTime, zone: ZoneInfo) -> datetime:
    """The instant a wall time stands for in a zone.

    A time that the zone skips raises WallTimeGap. A time that occurs twice (clocks fall back)
    takes its first occurrence (fold=0), which is what a broadcaster's listing means.
    """
    naive = wall.naive()
    aware = naive.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise WallTimeGap(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks "
                          "skip that hour for daylight saving time)")
    return aware

"""`from` and `to`: a window of time, never unbounded, at most 366 days long."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..schedule.wallclock import UTC
from .parameter_error import ParameterError

MAX_WINDOW = timedelta(days=366)
# Without from/to: the week behind and the month ahead of now, from the start of the current
# hour (a request never means "everything"; the hour keeps one answer, one ETag and
# one memo entry per hour instead of one per request). With only one end given, the window
# reaches AHEAD after `from`, or AHEAD before `to`.
BEHIND = timedelta(days=7)
AHEAD = timedelta(days=30)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def window(start_text: str | None, end_text: str | None, zone: ZoneInfo,
           now: datetime) -> tuple[datetime, datetime]:
    """The instants [start, end) asked for, in UTC; defaults as above; refused beyond 366 days."""
    start = moment(start_text, "from", zone, end_of_day=False)
    end = moment(end_text, "to", zone, end_of_day=True)
    if start is None and end is None:
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        start, end = hour - BEHIND, hour + AHEAD
    elif end is None:
        end = _clamped(start, AHEAD)
    elif start is None:
        start = _clamped(end, -AHEAD)
    if end <= start:
        raise ParameterError("to", "to must be later than from")
    if end - start > MAX_WINDOW:
        raise ParameterError("to", f"the window from {start_text} to {end_text} is longer than "
                                   "366 days: ask for a shorter one")
    return start, end


def moment(text: str | None, parameter: str, zone: ZoneInfo, *,
           end_of_day: bool) -> datetime | None:
    """A date (the whole day in the zone: 'to' includes it) or an RFC 3339 date-time."""
    if text is None:
        return None
    try:
        if _DATE.fullmatch(text):
            day = datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
            return _clamped(day, timedelta(days=1) if end_of_day else timedelta(0))
        if _DATETIME.fullmatch(text):
            given = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return _clamped(given if given.tzinfo else given.replace(tzinfo=zone), timedelta(0))
    except ValueError:
        pass
    raise ParameterError(parameter, f"{parameter} '{text[:40]}' is not a date (2024-01-10) or "
                                    "a date and time (2024-01-10T18:00:00Z)")


def _clamped(moment_: datetime, plus: timedelta) -> datetime:
    """The instant in UTC, held within what datetime can hold (year 1 to 9999)."""
    try:
        return (moment_ + plus).astimezone(UTC)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if moment_.year > 1 else \
            datetime.min.replace(tzinfo=UTC)

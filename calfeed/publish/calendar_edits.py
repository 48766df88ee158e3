"""Which shows an edit of a personal calendar changed, so that only their events' SEQUENCE rises.

A personal feed's events are the public feeds' (same UIDs, same revisions), so a show added
to a calendar starts at the SEQUENCE its show feed has: moving from that feed to My calendar
is no change. Each show then keeps a count of the edits that changed its events (another
platform, another language of titles, another reminder, a return after it was removed), added
to its SEQUENCE, with the time of the last one for LAST-MODIFIED.

Stored beside the choices as {"base": n, "base_at": time, "shows": {show id: [count, time]}}.
Calendars saved before counts were kept per show had every SEQUENCE raised by their edit
generation: that generation becomes their base, so no SEQUENCE a client holds goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Mapping

from .revisions import Revision

KEY = "edits"
# What changes every event of the calendar when it changes.
WHOLE_CALENDAR = ("region", "lang", "alarms")


@dataclass(frozen=True)
class Edit:
    """The edits of one show in a personal calendar, as its events show them: each edit that
    changed them raises their SEQUENCE (a switch of platform changes no revision of the data,
    yet clients must take it), and LAST-MODIFIED and DTSTAMP are that edit's time when it is
    later than the data's (CLIENTS.md: on every change, raise SEQUENCE and set LAST-MODIFIED
    to the change time). Unedited, the events are the public feeds' own."""

    generation: int = 0
    at: datetime | None = None

    def applied(self, revision: Revision) -> Revision:
        if not self.generation:
            return revision
        modified = max(revision.modified, self.at) if self.at else revision.modified
        return Revision(revision.sequence + self.generation, modified)


UNEDITED = Edit()


def show_edits(choices: dict, generation: int, edited: datetime | None) -> Callable[[str], Edit]:
    """The Edit the events of a stored show take, by its stored id."""
    record = _record(choices, generation, edited)
    base_at = _time(record.get("base_at"))

    def edit(show_id: str) -> Edit:
        count, at = record["shows"].get(show_id, (record["base"], None))
        return Edit(count, _time(at) or (base_at if count else None))
    return edit


def next_edits(old: dict | None, generation: int, edited: datetime | None, new: dict, at: datetime,
               airings: Callable[[str, Iterable[str] | None], frozenset[str]]) -> dict:
    """The record to store with `new` choices replacing `old` (None: a new calendar).

    `airings(show id, release ids or None)` names the airings the calendar would show of a
    show (their UIDs per release) under a choice in `new`'s region: a choice of platform that
    picks the same airings (the earliest is that platform) changes nothing.
    """
    if old is None:
        return {"base": 0, "shows": {}}
    record = _record(old, generation, edited)
    base, shows = record["base"], dict(record["shows"])
    everything = any(old.get(name) != new.get(name) for name in WHOLE_CALENDAR)
    for show_id in old["shows"]:
        # Kept when it leaves, so that its return is seen as a change: clients dropped it.
        shows.setdefault(show_id, [base, None])
    for show_id, releases in new["shows"].items():
        if show_id in old["shows"]:
            before = old["shows"][show_id]
            changed = everything or (_same(before) != _same(releases) and
                                     airings(show_id, before) != airings(show_id, releases))
        else:
            changed = show_id in shows      # back after it was removed
        if changed:
            shows[show_id] = [shows.get(show_id, [base])[0] + 1, at.isoformat()]
    return {**{k: v for k, v in record.items() if k != "shows"}, "shows": shows}


def _record(choices: dict, generation: int, edited: datetime | None) -> dict:
    record = choices.get(KEY)
    if record is not None:
        return record
    # Saved before per-show counts: every event was raised by the whole calendar's generation.
    return {"base": generation, "base_at": edited.isoformat() if edited else None, "shows": {}}


def _same(releases: Iterable[str] | None):
    return None if releases is None else sorted(releases)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def current_edits(edit: Callable[[str], Edit], stored_to_current: Mapping[str, str]) -> dict:
    """The edits of the shows a feed serves, under today's ids (a show's id may change)."""
    return {current: edit(stored) for stored, current in stored_to_current.items()}

"""What every personal-calendar store shares, whatever keeps the rows: limits, results, refusals."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime, timezone


class CalendarGone(LookupError):
    """A calendar its owner deleted: feeds answer 410 so that clients stop asking."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LimitReached(ValueError):
    """A limit of the deployment (shows, creations an hour, stored size), with what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Outdated(ValueError):
    """A save from an edit page loaded before another save of the same calendar."""

    def __init__(self, generation: int):
        super().__init__(f"the calendar is at edit {generation}")
        self.generation = generation


@dataclass(frozen=True)
class Limits:
    max_shows: int = 100
    creations_per_hour: int = 20
    max_total_bytes: int = 200_000_000      # on disk, whatever the store keeps beside the rows
    # Days a deleted calendar's row answers 410 before it is reclaimed (then: 404), and days a
    # calendar with no show left is kept unchanged before it is reclaimed.
    keep_deleted_days: float = 90
    keep_empty_days: float = 180


@dataclass(frozen=True)
class Stored:
    feed_id: str
    generation: int
    choices: dict
    edited: datetime | None = None      # None: kept before the store recorded it


def now_text() -> str:
    # Whole seconds: LAST-MODIFIED and HTTP dates have no finer unit.
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def secret_hash(secret: str) -> str:
    # The edit key has 256 random bits: a plain SHA-256 is enough, no slow hash needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def creator(address: str) -> str:
    """Whom the hourly limit counts, hashed: an IPv4 address, or an IPv6 address's /64 (one
    subscriber's network: 200 addresses of one /64 each had a quota of their own)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return secret_hash(address)
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    if parsed.version == 6:
        return secret_hash(str(ipaddress.ip_network(f"{parsed}/64", strict=False)))
    return secret_hash(str(parsed))


def encoded(choices: dict, limits: Limits) -> str:
    """The choices as stored, once the shows are within the limit."""
    if len(choices.get("shows", {})) > limits.max_shows:
        raise LimitReached(f"a calendar holds at most {limits.max_shows} shows, and this one "
                           f"has {len(choices['shows'])}: remove some, or make a second "
                           "calendar")
    return json.dumps(choices, sort_keys=True, separators=(",", ":"))


def too_many(made: int) -> LimitReached:
    return LimitReached(f"{made} calendars were made from your address in the last hour, the "
                        "most allowed: edit one you made through its edit link, or try again "
                        "in an hour")


def storage_full(limits: Limits) -> LimitReached:
    return LimitReached("this calfeed keeps no more personal calendars: its storage "
                        f"({limits.max_total_bytes:,} bytes) is full; subscribe to the show "
                        "feeds instead, or try again later")


GONE = ("this calendar was deleted by its owner: remove the subscription from your calendar "
        "app")

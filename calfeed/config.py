"""Settings: defaults, then CALFEED_* environment variables, then a test's own values."""

from __future__ import annotations

import math

from pathlib import Path
from typing import Any, Mapping

from flask import Config

from .database import check_url

# The schedules that ship with the repository; a deployment points CALFEED_SCHEDULES_DIR
# at its own folder.
BUNDLED_SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
# The app's instance folder, as Flask names it for the calfeed package.
INSTANCE = BUNDLED_SCHEDULES.parent / "instance"

DEFAULTS: dict[str, Any] = {
    # Folder of schedule files (CALFEED_SCHEDULES_DIR).
    "SCHEDULES_DIR": str(BUNDLED_SCHEDULES),
    # SQLite file keeping each event's SEQUENCE and LAST-MODIFIED across restarts
    # (CALFEED_STATE_PATH); empty means instance/state.sqlite3 beside the app.
    "STATE_PATH": "",
    # How often calendar clients are asked to refresh, and the feeds' Cache-Control max-age.
    "FEED_REFRESH_MINUTES": 180,
    # Google Calendar drops events past about 1 MB of feed: stay under this many bytes.
    "FEED_MAX_BYTES": 900_000,
    # Cache-Control max-age of the JSON API and of the pages.
    "API_MAX_AGE_SECONDS": 300,
    "PAGE_MAX_AGE_SECONDS": 60,
    # Region of the pages when neither ?region= nor the browser's languages name one.
    "DEFAULT_REGION": "US",
    # Seconds a whole feed or API response is answered from memory before Flask makes it
    # again (a new data version always does); 0 turns the response cache off.
    "RESPONSE_CACHE_SECONDS": 10,
    # Bytes of whole responses each worker keeps (bodies, headers, bookkeeping), the least
    # recently used going first; any request can mint a new URL, so this bounds what they
    # cost. 16 MB holds the large region feeds and many smaller answers. An answer over an
    # eighth of it is sent, not kept. At most RESPONSE_CACHE_MAX_ENTRIES answers whatever size.
    "RESPONSE_CACHE_MAX_BYTES": 16_000_000,
    "RESPONSE_CACHE_MAX_ENTRIES": 4096,
    # Bytes each worker keeps per data version of JSON documents, feed selections and week
    # blocks worked out for requests (keys and airings counted), the least recently used going
    # first (CALFEED_MEMO_MAX_BYTES). 16 MB keeps the synthetic 1,000-show catalogue's largest
    # documents (7 MB) and its feeds' selections; a worker's growth under 20,000 new URLs,
    # Hosts and languages was +44 MB with it (docs/benchmarks.md, bench/memory.py).
    "MEMO_MAX_BYTES": 16_000_000,
    # Bytes of rendered events (a feed's parts) each worker keeps per data version, the least
    # recently used going first (render/ics.py EVENT_CACHE_MAX_BYTES): each region, language
    # and personal calendar's edit count renders its own.
    "EVENT_CACHE_MAX_BYTES": 64_000_000,
    # Seconds between handing the memory glibc's malloc holds freed back to the system
    # (web/freed_memory.py; about a millisecond each time, in the next request); 0: never.
    "MALLOC_TRIM_SECONDS": 1,
    # Cache-Control s-maxage: how long shared caches (nginx, a CDN) keep a feed or API answer
    # before they revalidate it with the app.
    "SHARED_MAX_AGE_SECONDS": 60,
    # Serve the imported catalogue (bangumi-data, docs/catalogue.md) beside the schedules
    # folder (CALFEED_IMPORT); 0 serves the folder's shows alone.
    "IMPORT": 1,
    # The installed bangumi-data package to import (CALFEED_IMPORT_PATH); empty: the pinned one
    # in data/bangumi/node_modules.
    "IMPORT_PATH": "",
    # Folder of installed bangumi-data versions and the pointer to the one served
    # (CALFEED_DATASET_DIR, `calfeed dataset`); empty means instance/datasets.
    "DATASET_DIR": "",
    # Hours between the service's own checks of the npm registry for a newer bangumi-data
    # (fractions allowed); 0 turns them off.
    "DATASET_UPDATE_HOURS": 24,
    # A dataset published longer ago than this makes /healthz say degraded.
    "DATASET_MAX_AGE_DAYS": 30,
    # Seconds between checks of the schedules folder for changes (SIGHUP checks at once);
    # 0 turns live reload off.
    "RELOAD_INTERVAL": 10,
    # Seconds the folder must look the same (names, sizes, change times) before a change is
    # loaded, so that a file caught mid-write is not served; write elsewhere and rename anyway.
    "RELOAD_SETTLE_SECONDS": 1,
    # Seconds a request waits for its worker to catch up with a newer data version another
    # worker published, before answering from the version it has.
    "CATCH_UP_SECONDS": 5,
    # A load that keeps fewer than this fraction of the schedule files served is held back as a
    # fault (an emptied folder), unless the folder holds a .calfeed-allow-shrink file.
    "SHRINK_LIMIT": 0.5,
    # Bearer token that shows /healthz's details (problems, paths) to clients other than
    # loopback; empty: details for loopback only.
    "HEALTH_TOKEN": "",
    # The address clients use, such as https://calfeed.example.org (CALFEED_PUBLIC_URL): every
    # absolute URL the app writes (feed URLs in feeds, pages and the API) names it, whatever
    # Host a request sends, and no cache keeps an entry per Host. Empty (development): URLs
    # name the request's Host.
    "PUBLIC_URL": "",
    # Number of proxies in front whose X-Forwarded-Proto/-Host/-For to trust (nginx: 1).
    "TRUSTED_PROXIES": 0,
    # Leave each data version out of the garbage collector's full collections once it is
    # served (CALFEED_FREEZE_HEAP, serve/heap.py): they walked its 500,000 objects in a request.
    "FREEZE_HEAP": 1,
    # Personal calendars (docs/design.md, "My calendar"): their SQLite file
    # (CALFEED_CALENDARS_PATH; empty means instance/calendars.sqlite3), the most shows one holds,
    # calendars one client (an IPv4 address, an IPv6 /64) may make an hour, bytes the file may
    # take on disk (its pages in use and its write-ahead log), and the largest form accepted,
    # however it is sent (chunked too).
    "CALENDARS_PATH": "",
    "CALENDAR_MAX_SHOWS": 100,
    "CALENDAR_CREATIONS_PER_HOUR": 20,
    "CALENDARS_MAX_BYTES": 200_000_000,
    "CALENDAR_FORM_MAX_BYTES": 64_000,
    # The largest list file read to prefill a calendar (a MyAnimeList export of a long list).
    "CALENDAR_IMPORT_MAX_BYTES": 5_000_000,
    # PostgreSQL for several instances serving one service (docs/deploy.md, "Several
    # machines"): postgresql://user:password@host:port/database. Set, personal calendars and
    # the revision state are kept there instead of SQLite files in instance/. Each worker
    # process keeps a pool of at most DATABASE_POOL_SIZE connections; a connection not made
    # within DATABASE_CONNECT_TIMEOUT_SECONDS, or a statement running past
    # DATABASE_STATEMENT_TIMEOUT_SECONDS, counts as the database being unreachable (calendar
    # writes answer 503, everything else serves from memory).
    "DATABASE_URL": "",
    "DATABASE_POOL_SIZE": 4,
    "DATABASE_CONNECT_TIMEOUT_SECONDS": 3,
    "DATABASE_STATEMENT_TIMEOUT_SECONDS": 5,
}


def dataset_dir(config: Mapping[str, Any]) -> Path:
    """CALFEED_DATASET_DIR, or instance/datasets."""
    return Path(config["DATASET_DIR"] or INSTANCE / "datasets")


class SettingError(ValueError):
    """A setting from the environment that cannot be used, named with what to give instead."""


def load_config(test_config: Mapping[str, Any] | None = None) -> Config:
    """The settings in force, in the order the app factory applies them; a number given as
    text that is not one (CALFEED_RESPONSE_CACHE_SECONDS=abc) is refused here, at start, not
    found by the first request that reads it."""
    config = Config(str(BUNDLED_SCHEDULES.parent))
    config.from_mapping(DEFAULTS)
    config.from_prefixed_env("CALFEED")
    if test_config:
        config.update(test_config)
    for name, default in DEFAULTS.items():
        value = config[name]
        # Flask reads each CALFEED_ value as JSON: 10 and 0.5 are numbers, abc stays text.
        if isinstance(default, (int, float)) and not _is_count(value):
            raise SettingError(f"CALFEED_{name}={value!r} is not valid: give a number, 0 or "
                               f"more (the default is {default})")
    if config["DATABASE_URL"]:
        try:
            check_url(str(config["DATABASE_URL"]))
        except ValueError as exc:
            raise SettingError(str(exc)) from None
    return config


def _is_count(value: Any) -> bool:
    # Not NaN, not infinite (Infinity and 1e309 read as inf: a bound never reached, a trim due
    # never, said nowhere).
    return isinstance(value, (int, float)) and math.isfinite(value) and value >= 0

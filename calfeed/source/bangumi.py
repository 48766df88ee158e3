"""bangumi-data items to shows and releases (docs/catalogue.md): the mapping, item by item."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ..schedule.model import Episode, Release, Show
from ..schedule.wallclock import WallTime
from .names import show_ids
from .titles import with_english_titles
from .sites import Site, site_table

DATASET = Path(__file__).resolve().parents[2] / "data/bangumi/node_modules/bangumi-data"
TOKYO = ZoneInfo("Asia/Tokyo")
HORIZON = timedelta(days=28)       # open-ended shows: airings up to four weeks past now
MAX_EPISODES = 2000                # as schedule files (show_file.MAX_EPISODES)
DURATIONS = {"tv": 30, "web": 30, "ova": 30, "movie": 120}   # minutes; the dataset has none
ID_SITES = {"bangumi": "bangumi", "mal": "mal", "aniList": "anilist", "anidb": "anidb",
            "tmdb": "tmdb"}
NO_BREAKS = "episode numbers counted at the cadence: the dataset cannot know break weeks"
OPEN_ENDED = "no end date: airings up to four weeks ahead, then more as time passes"
# A show without an end date that had aired under a year by the dataset's newest start is
# taken to run a cour, once the dataset is older than that: a pinned dataset of May kept
# spring shows at episode 36 in November, every airing a guess.
NEW_OPEN_ENDED = ("no end date: airings up to four weeks ahead; four weeks past the dataset's "
                  "newest start, a show under a year old stops at episode 13")
LONG_RUNNER_AGE = timedelta(days=365)
ONE_COUR = 13
DAY_ONLY = "the dataset gives this site's day, not its time (00:00 UTC)"
# A site that starts a series after more than a cour of it aired (or all of it) added it to
# its catalogue: it does not stream it weekly from episode 1 (Netflix: ONE PIECE in 2023).
CATALOGUE_ADDITION_AFTER = ONE_COUR     # broadcast episodes aired before the site's start
_PERIOD = re.compile(r"P(\d+)D")


class Skipped(ValueError):
    """An item the import leaves out, with the reason counted in `calfeed sources`."""


@dataclass
class ImportReport:
    """What one import did: counted, so a refresh can be reviewed before it is served."""

    version: str
    # The newest start the dataset gives (an item's or a site's): as far as it knows.
    as_of: datetime | None = None
    imported: int = 0
    skipped: Counter = field(default_factory=Counter)
    inferred_shows: list[str] = field(default_factory=list)
    copied_starts: Counter = field(default_factory=Counter)   # site -> items whose start is the broadcast's
    # site -> series it added to its catalogue long after they began (kept as links only)
    catalogue_additions: Counter = field(default_factory=Counter)
    day_only_starts: Counter = field(default_factory=Counter)  # site -> starts at 00:00 UTC
    ends_off_cadence: list[str] = field(default_factory=list)
    # show id -> (first broadcast, cadence in days) of each show without an end date, whose
    # episodes run to a horizon past the day of the import (extend_open_ended moves it on).
    open_ended: dict[str, tuple[datetime, int]] = field(default_factory=dict)


def dataset_version(root: Path = DATASET) -> str:
    return json.loads((root / "package.json").read_text(encoding="utf-8"))["version"]


def load_dataset(root: Path = DATASET, now: datetime | None = None,
                 sites: dict[str, Site] | None = None) -> tuple[dict[str, Show], ImportReport]:
    """Every item of the installed, pinned bangumi-data as a show (not expanded: expand_show
    each one on demand), by show id, and the report of what was imported or skipped."""
    data = json.loads((root / "dist/data.json").read_text(encoding="utf-8"))
    return import_items(data["items"], data["siteMeta"], dataset_version(root),
                        now or datetime.now(timezone.utc), sites or site_table())


def import_items(items: list[dict], site_meta: dict, version: str, now: datetime,
                 sites: dict[str, Site]) -> tuple[dict[str, Show], ImportReport]:
    report = ImportReport(version, as_of=newest_start(items))
    mapped = []
    for item in items:
        try:
            mapped.append((item, item_to_show(item, site_meta, version, now, sites, report)))
        except Skipped as exc:
            report.skipped[str(exc)] += 1
    ids = show_ids([show for _item, show in mapped])
    shows = {}
    for (item, show), show_id in zip(mapped, ids):
        shows[show_id] = _with_id(show, show_id)
        if any(r.provenance == "inferred" for r in show.releases):
            report.inferred_shows.append(show_id)
        if {OPEN_ENDED, NEW_OPEN_ENDED} & set(show.releases[0].provenance_notes):
            report.open_ended[show_id] = (parse_instant(item["begin"]),
                                          period_days(item.get("broadcast")))
    report.imported = len(shows)
    return with_english_titles(shows), report


def newest_start(items: list[dict]) -> datetime | None:
    starts = [start for item in items
              for text in (item.get("begin"), *(s.get("begin") for s in item.get("sites", ())))
              if (start := _instant_or_none(text)) is not None]
    return max(starts, default=None)


def _instant_or_none(text) -> datetime | None:
    try:
        return parse_instant(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _with_id(show: Show, show_id: str) -> Show:
    return replace(show, id=show_id)


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


def item_to_show(item: dict, site_meta: dict, version: str, now: datetime,
                 sites: dict[str, Site], report: ImportReport) -> Show:
    """One item as a show whose id is still to be chosen (show_ids picks them all together)."""
    begin = parse_instant(item.get("begin"))
    if begin is None:
        raise Skipped("no begin date")
    kind = item.get("type", "tv")
    every = None if kind in ("movie", "ova") else period_days(item.get("broadcast"))
    count, notes = _episode_count(item, begin, every, now, report)
    dataset = f"bangumi-data {version}"
    releases = [_release("jp-broadcast", "Japanese TV broadcast" if kind == "tv" else "Japanese release",
                         "broadcast" if kind == "tv" else "release", frozenset({"JP"}), TOKYO,
                         begin, every, "inferred" if notes else "dataset", (dataset, *notes))]
    links = {"official": item["officialSite"]} if item.get("officialSite") else {}
    ids = {}
    for entry in item.get("sites", []):
        key, meta = entry.get("site"), site_meta.get(entry.get("site"), {})
        if meta.get("urlTemplate") and entry.get("id"):
            links[key.lower()] = meta["urlTemplate"].replace("{{id}}", str(entry["id"]))
        if key in ID_SITES and entry.get("id"):
            ids[ID_SITES[key]] = str(entry["id"])
        start = parse_instant(entry.get("begin"))
        if meta.get("type") != "onair" or start is None or key not in sites:
            continue
        if every is not None and _catalogue_addition(begin, every, count, start):
            report.catalogue_additions[key] += 1    # its link above stays
            continue
        site = sites[key]
        regions = frozenset(r.upper() for r in entry["regions"]) if entry.get("regions") else site.regions
        site_notes = list(notes)
        if start == begin and kind == "tv":
            report.copied_starts[key] += 1
            site_notes.append("start copied from the broadcast")
        elif (start.hour, start.minute, start.second) == (0, 0, 0) and \
                (begin.hour, begin.minute, begin.second) != (0, 0, 0):
            # Midnight UTC where the broadcast is not: a day written without its time.
            report.day_only_starts[key] += 1
            site_notes.append(DAY_ONLY)
        elif not site.starts_trusted:
            site_notes.append(f"{site.name}'s starts in the dataset are often the broadcast's")
        site_every = every if entry.get("broadcast") is None else (
            None if kind in ("movie", "ova") else _site_period(entry, every))
        # The site's page of the show (its urlTemplate): where a subscriber goes to watch.
        releases.append(_release(key.replace("_", "-"), site.name, "streaming", regions,
                                 site.timezone, start, site_every,
                                 "inferred" if site_notes else "dataset", (dataset, *site_notes),
                                 links.get(key.lower())))
    titles = _titles(item)
    return Show(id="", title=titles, episodes=_episodes(count),
                releases=tuple(releases), duration=timedelta(minutes=DURATIONS.get(kind, 30)),
                links=links, sources=(f"bangumi-data {version} (CC BY 4.0)",),
                ids=ids, kind=kind, path=f"bangumi-data {version}")


def _catalogue_addition(begin: datetime, every: int, count: int, start: datetime) -> bool:
    """Whether a site starting a series at `start` came to it after most or all of it aired."""
    aired = -((begin - start) // timedelta(days=every)) if start > begin else 0
    return aired >= count or aired > CATALOGUE_ADDITION_AFTER


def _site_period(entry: dict, item_every: int | None) -> int | None:
    try:
        return period_days(entry.get("broadcast")) or item_every
    except Skipped:
        return item_every


def _episode_count(item, begin, every, now, report) -> tuple[int, tuple[str, ...]]:
    """Episodes from begin to end at the cadence; open-ended ones up to the horizon."""
    if every is None:
        return 1, ()
    end = parse_instant(item.get("end"))
    step = timedelta(days=every)
    if end is None:
        count = open_ended_count(begin, every, now, report.as_of)
        new = report.as_of is not None and begin > report.as_of - LONG_RUNNER_AGE
        notes = (NEW_OPEN_ENDED if new else OPEN_ENDED, NO_BREAKS)
    else:
        if end < begin:
            raise Skipped("end before begin")
        count = (end - begin) // step + 1
        if (end - begin) % step:
            report.ends_off_cadence.append(item["title"])
        notes = ()
    if count > MAX_EPISODES:
        raise Skipped(f"more than {MAX_EPISODES} episodes at its cadence")
    return count, notes


def open_ended_count(begin: datetime, every: int, now: datetime,
                     as_of: datetime | None = None) -> int:
    """How many episodes a show without an end has from `begin` to HORIZON past `now`; for a
    show under a year old at `as_of` (the dataset's newest start), no more than ONE_COUR once
    HORIZON past `as_of` is behind (NEW_OPEN_ENDED)."""
    def by(moment: datetime) -> int:
        return (max(moment + HORIZON, begin) - begin) // timedelta(days=every) + 1
    if as_of is not None and begin > as_of - LONG_RUNNER_AGE:
        return min(by(now), max(ONE_COUR, by(as_of)))
    return by(now)


def extend_open_ended(shows: dict[str, Show], report: ImportReport,
                      now: datetime) -> dict[str, Show]:
    """The shows as an import on `now` would make them: each open-ended show's episodes run to
    the horizon past `now`, nothing else read again. A worker that keeps running thus serves
    what a worker started that day serves (a show past MAX_EPISODES stays at it, where a new
    import would skip it: decades away for a weekly show)."""
    moved = dict(shows)
    for show_id, (begin, every) in report.open_ended.items():
        count = min(open_ended_count(begin, every, now, report.as_of), MAX_EPISODES)
        if count != len(shows[show_id].episodes):
            moved[show_id] = replace(shows[show_id], episodes=_episodes(count))
    return moved


def _episodes(count: int) -> tuple[Episode, ...]:
    return tuple(Episode(n) for n in range(1, count + 1))


def _release(release_id, name, kind, regions, zone, start, every, provenance, notes,
             url=None) -> Release:
    local = start.astimezone(zone)
    return Release(id=release_id, name=name, kind=kind, regions=regions, timezone=zone,
                   regions_text=", ".join(sorted(regions)) if len(regions) < 8 else f"{len(regions)} countries",
                   start=WallTime(local.date(), local.hour, local.minute),
                   every_days=every or 7, provenance=provenance, provenance_notes=notes, url=url)


def _titles(item: dict) -> dict[str, str]:
    titles = {item.get("lang") or "ja": item["title"]}
    for lang, names in (item.get("titleTranslate") or {}).items():
        if names and lang not in titles:
            # The dataset lists spellings; the last English one is usually the title-case one.
            titles[lang] = names[-1] if lang == "en" else names[0]
    return titles

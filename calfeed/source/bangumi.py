"""bangumi-data items to shows and releases (docs/catalogue.md): the mapping, item by item."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ..i18n import translations
from ..schedule.model import DATED, TIMED, Episode, Move, Release, Show
from ..schedule.model import LISTED as LISTED_PRECISION
from ..schedule.wallclock import WallTime
from .names import show_ids
from .titles import with_english_titles
from .sites import Site, site_table
# Re-exported: tests and the report read them from here.
from .slots import (HORIZON, LONG_RUNNER_AGE, MAX_EPISODES, ONE_COUR, TOKYO,  # noqa: F401
                    Skipped, Slot, episodes, parse_instant, period_days, placed, slot_of)

DATASET = Path(__file__).resolve().parents[2] / "data/bangumi/node_modules/bangumi-data"
DURATIONS = {"tv": 30, "web": 30, "ova": 30, "movie": 120}   # minutes; the dataset has none
ID_SITES = {"bangumi": "bangumi", "mal": "mal", "aniList": "anilist", "anidb": "anidb",
            "tmdb": "tmdb"}
# The notes below are what pages and feeds say of an airing (provenance.note_text translates
# them): each is attached only where it is true of that release.
NO_BREAKS = "episode numbers counted at the cadence: the dataset cannot know break weeks"
OPEN_ENDED = "no end date: airings up to four weeks ahead, then more as time passes"
# A show without an end date that had aired under a year by the dataset's newest start is
# taken to run a cour, once the dataset is older than that: a pinned dataset of May kept
# spring shows at episode 36 in November, every airing a guess.
NEW_OPEN_ENDED = ("no end date: airings up to four weeks ahead; four weeks past the dataset's "
                  "newest start, a show under a year old stops at episode 13")
BY_DATE = ("listed by date from the slot the dataset gives: a weekly count across years of "
           "breaks would not be the episode's number")
DAY_ONLY = "the dataset gives this site's day, not its time"
LISTED = "the dataset lists the show on this site without dates"
SERIES_PAGE = ("the dataset's start for this site is an earlier season's: its page of the "
               "series, no dates for this one")
ADDED_LATE = ("the site added the series long after it began: its dates are not "
                      "this show's weekly episodes")
LONG_RUNNER_SITE = ("the dataset's dates for this site cannot be placed on a long runner's "
                    "weeks")
SLOT_CHANGED = ("the dataset's last airing is not on this slot: the show moved at a time the "
                "dataset does not give, and times after that are wrong")
# A site that starts a series after more than a cour of it aired (or all of it) added it to
# its library: it does not stream it weekly from episode 1 (Netflix: ONE PIECE in 2023).
ADDED_LATE_AFTER = ONE_COUR     # broadcast episodes aired before the site's start
# A site whose start is this long before the item's own is the site's page of the series,
# carried over from an earlier season (My Hero Academia Season 7 on Crunchyroll: 2017).
EARLIER_SEASON = timedelta(days=120)
UTC_ZONE = ZoneInfo("UTC")     # a dated release's day is the one the dataset wrote, in UTC


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
    # site -> series it added to its library long after they began (listed without dates)
    late_additions: Counter = field(default_factory=Counter)
    day_only_starts: Counter = field(default_factory=Counter)  # site -> starts at 00:00 UTC
    # site -> items whose start for it is an earlier season's (listed without dates)
    earlier_season_starts: Counter = field(default_factory=Counter)
    listed_without_dates: Counter = field(default_factory=Counter)   # site -> empty begin
    long_runner_sites: Counter = field(default_factory=Counter)      # site -> long runners
    moved_slots: list[str] = field(default_factory=list)    # titles: recurrence after begin
    by_date: list[str] = field(default_factory=list)         # titles: episodes by their date
    ends_off_slot: list[str] = field(default_factory=list)   # titles: last airing off the slot
    ends_off_cadence: list[str] = field(default_factory=list)
    # show id -> its slot, for each show without an end date, whose episodes run to a horizon
    # past the day of the import (extend_open_ended moves it on).
    open_ended: dict[str, Slot] = field(default_factory=dict)

    def rules(self) -> list[tuple[str, int]]:
        """Each mapping rule that changed what the dataset says, and how many entries it
        touched (docs/catalogue.md), so a dataset update shows how its quality moves."""
        return [
            ("site start copied from the broadcast: inferred", sum(self.copied_starts.values())),
            ("site start a day without its time: served as a date",
             sum(self.day_only_starts.values())),
            ("site start an earlier season's: listed without dates",
             sum(self.earlier_season_starts.values())),
            ("site added the series long after it began: listed without dates",
             sum(self.late_additions.values())),
            ("site listed with no start: listed without dates",
             sum(self.listed_without_dates.values())),
            ("long runner's site: listed without dates", sum(self.long_runner_sites.values())),
            ("broadcast slot later than the first airing: the slot's", len(self.moved_slots)),
            ("long runner: episodes by date, not number", len(self.by_date)),
            ("last airing off the slot: inferred, said so", len(self.ends_off_slot)),
            ("end not on the cadence", len(self.ends_off_cadence)),
        ]


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
            mapped.append(mapped_item(item, site_meta, version, now, sites, report))
        except Skipped as exc:
            report.skipped[str(exc)] += 1
    ids = show_ids([show for show, _slot in mapped])
    shows = {}
    for (show, slot), show_id in zip(mapped, ids, strict=True):
        shows[show_id] = _with_id(show, show_id)
        if any(r.provenance == "inferred" for r in show.releases):
            report.inferred_shows.append(show_id)
        if slot is not None and slot.end is None:
            report.open_ended[show_id] = slot
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


def item_to_show(item: dict, site_meta: dict, version: str, now: datetime,
                 sites: dict[str, Site], report: ImportReport) -> Show:
    """One item as a show whose id is still to be chosen (show_ids picks them all together)."""
    return mapped_item(item, site_meta, version, now, sites, report)[0]


def mapped_item(item: dict, site_meta: dict, version: str, now: datetime,
                sites: dict[str, Site], report: ImportReport) -> tuple[Show, Slot | None]:
    """item_to_show, with the slot of the show's broadcast (None for one airing)."""
    begin = parse_instant(item.get("begin"))
    if begin is None:
        raise Skipped("no begin date")
    kind = item.get("type", "tv")
    every = None if kind in ("movie", "ova") else period_days(item.get("broadcast"))
    slot = slot_of(item, begin, every, report.as_of) if every is not None else None
    if slot is not None and slot.end is not None and (slot.end - slot.first) % timedelta(days=every):
        report.ends_off_cadence.append(item["title"])
    if slot is not None and slot.first != slot.begin:
        report.moved_slots.append(item["title"])
    if slot is not None and slot.by_date:
        report.by_date.append(item["title"])
    if slot is not None and slot.end_off_slot:
        report.ends_off_slot.append(item["title"])
    dataset = f"bangumi-data {version}"
    broadcast, episode_list = _broadcast(kind, begin, slot, now, report.as_of, dataset)
    links = {"official": item["officialSite"]} if item.get("officialSite") else {}
    ids = {}
    releases = [broadcast]
    for entry in item.get("sites", []):
        key, meta = entry.get("site"), site_meta.get(entry.get("site"), {})
        if meta.get("urlTemplate") and entry.get("id"):
            links[key.lower()] = meta["urlTemplate"].replace("{{id}}", str(entry["id"]))
        if key in ID_SITES and entry.get("id"):
            ids[ID_SITES[key]] = str(entry["id"])
        if meta.get("type") == "onair" and key in sites:
            # The site's page of the show (its urlTemplate): where a subscriber goes to watch.
            releases.append(_site_release(entry, sites[key], kind, begin, slot,
                                          len(episode_list), broadcast, dataset, report,
                                          links.get(key.lower())))
    titles = _titles(item)
    return Show(id="", title=titles, episodes=episode_list,
                releases=tuple(releases), duration=timedelta(minutes=DURATIONS.get(kind, 30)),
                links=links, sources=(f"bangumi-data {version} (CC BY 4.0)",),
                ids=ids, kind=kind, path=f"bangumi-data {version}",
                premiered=begin if slot is not None and slot.by_date else None), slot


def _broadcast(kind: str, begin: datetime, slot: Slot | None, now: datetime,
               as_of: datetime | None, dataset: str) -> tuple[Release, tuple[Episode, ...]]:
    """The Japanese broadcast (or a film's release) and the episodes it places."""
    # English in the data and the API; marked so pages and feeds say it in their words
    # (i18n.release_name).
    english = translations(None)
    name = english.pgettext("release name", "Japanese TV broadcast") if kind == "tv" else \
        english.pgettext("release name", "Japanese release")
    release_kind = "broadcast" if kind == "tv" else "release"
    if slot is None:
        return _release("jp-broadcast", name, release_kind, frozenset({"JP"}), TOKYO, begin,
                        None, "dataset", (dataset,)), episodes(1)
    first, count = placed(slot, now, as_of)
    notes = ()
    if slot.end is None:
        notes = (NEW_OPEN_ENDED if slot.new else OPEN_ENDED,
                 BY_DATE if slot.by_date else NO_BREAKS)
    elif slot.by_date:
        notes = (BY_DATE,)
    if slot.end_off_slot:
        notes += (SLOT_CHANGED,)
    moves = ()
    if slot.premiere:
        # Episode 1 at its premiere, the rest on the slot: the release's slot 0 is a period
        # before the slot's first airing, and episode 1 is moved from it to `begin`.
        first = first - timedelta(days=slot.every)
        moves = (Move(1, _wall(begin, TOKYO)),)
    release = _release("jp-broadcast", name, release_kind, frozenset({"JP"}), TOKYO, first,
                       slot.every, "inferred" if notes and (slot.end is None or slot.end_off_slot)
                       else "dataset",
                       (dataset, *notes), moves=moves)
    return release, episodes(count, first, slot.every, slot.by_date)


def _site_release(entry: dict, site: Site, kind: str, begin: datetime, slot: Slot | None,
                  count: int, broadcast: Release, dataset: str, report: ImportReport,
                  url: str | None) -> Release:
    """One on-air site's release: timed, a date, or listed without dates (the show is on the
    site all the same: a fan there can watch it)."""
    key = site.key
    regions = (frozenset(r.upper() for r in entry["regions"]) if entry.get("regions")
               else site.regions)

    def listed(note: str, counter: Counter) -> Release:
        counter[key] += 1
        return _release(key.replace("_", "-"), site.name, "streaming", regions, site.timezone,
                        None, None, "dataset", (dataset, note), url, precision=LISTED_PRECISION)

    try:
        start = parse_instant(entry.get("begin"))
    except ValueError:
        start = None
    if start is None:
        return listed(LISTED, report.listed_without_dates)
    if slot is not None and slot.by_date:
        return listed(LONG_RUNNER_SITE, report.long_runner_sites)
    if start < begin - EARLIER_SEASON:
        return listed(SERIES_PAGE, report.earlier_season_starts)
    if slot is not None and _added_late(slot, count, start):
        return listed(ADDED_LATE, report.late_additions)
    # The broadcast's count notes hold for the site's episodes too; its slot's do not.
    notes = [note for note in broadcast.provenance_notes[1:] if note != SLOT_CHANGED]
    zone, precision = site.timezone, TIMED
    if start == begin and kind == "tv":
        report.copied_starts[key] += 1
        notes.append("start copied from the broadcast")
    elif (start.hour, start.minute, start.second) == (0, 0, 0) and \
            (begin.hour, begin.minute, begin.second) != (0, 0, 0):
        # Midnight UTC where the broadcast is not: a day written without its time. Served as
        # that day (all-day events), never as an instant.
        report.day_only_starts[key] += 1
        notes.append(DAY_ONLY)
        zone, precision = UTC_ZONE, DATED
    every = None
    if slot is not None:
        every = slot.every if entry.get("broadcast") is None else _site_period(entry, slot.every)
    return _release(key.replace("_", "-"), site.name, "streaming", regions, zone, start, every,
                    "inferred" if notes else "dataset", (dataset, *notes), url,
                    precision=precision)


def _added_late(slot: Slot, count: int, start: datetime) -> bool:
    """Whether a site starting a series at `start` came to it after most or all of it aired."""
    aired = -((slot.begin - start) // timedelta(days=slot.every)) if start > slot.begin else 0
    return aired >= count or aired > ADDED_LATE_AFTER


def _site_period(entry: dict, item_every: int | None) -> int | None:
    try:
        return period_days(entry.get("broadcast")) or item_every
    except Skipped:
        return item_every


def extend_open_ended(shows: dict[str, Show], report: ImportReport,
                      now: datetime) -> dict[str, Show]:
    """The shows as an import on `now` would make them: each open-ended show's episodes run to
    the horizon past `now`, nothing else read again. A worker that keeps running thus serves
    what a worker started that day serves (a show past MAX_EPISODES stays at it, where a new
    import would skip it: decades away for a weekly show)."""
    moved = dict(shows)
    for show_id, slot in report.open_ended.items():
        show = shows[show_id]
        try:
            first, count = placed(slot, now, report.as_of)
        except Skipped:
            continue
        if count != len(show.episodes):
            # The slot's first airing is fixed per dataset (slots.placed): only the count moves.
            moved[show_id] = replace(show, episodes=episodes(count, first, slot.every,
                                                             slot.by_date))
    return moved


def _wall(moment: datetime, zone) -> WallTime:
    local = moment.astimezone(zone)
    return WallTime(local.date(), local.hour, local.minute)


def _release(release_id, name, kind, regions, zone, start, every, provenance, notes,
             url=None, precision=TIMED, moves=()) -> Release:
    return Release(id=release_id, name=name, kind=kind, regions=regions, timezone=zone,
                   regions_text=", ".join(sorted(regions)) if len(regions) < 8 else f"{len(regions)} countries",
                   start=_wall(start, zone) if start is not None else None,
                   every_days=every or 7, provenance=provenance, provenance_notes=notes, url=url,
                   precision=precision, moves=moves)


def _titles(item: dict) -> dict[str, str]:
    titles = {item.get("lang") or "ja": item["title"]}
    for lang, names in (item.get("titleTranslate") or {}).items():
        if names and lang not in titles:
            # The dataset lists spellings; the last English one is usually the title-case one.
            titles[lang] = names[-1] if lang == "en" else names[0]
    return titles

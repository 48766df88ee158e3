"""What an import did, where curated files and the dataset disagree, and what a refresh changes."""

from __future__ import annotations

from typing import Mapping

from ..schedule.expand import expand_show
from ..schedule.model import Release, Show
from .bangumi import ImportReport


def summary_lines(report: ImportReport) -> list[str]:
    lines = [f"bangumi-data {report.version}: {report.imported} items imported, "
             f"{sum(report.skipped.values())} skipped"]
    lines += [f"  skipped, {reason}: {count}" for reason, count in sorted(report.skipped.items())]
    lines.append(f"shows with inferred times: {len(report.inferred_shows)}")
    # Each mapping rule (docs/catalogue.md) and the entries it touched: a dataset update shows
    # how the data's quality moves.
    lines.append("mapping rules (entries touched):")
    lines += [f"  {rule}: {count}" for rule, count in report.rules()]
    for label, counter in (
            ("sites whose start equals the broadcast (items)", report.copied_starts),
            ("sites whose start is a day without its time, 00:00 UTC (items)",
             report.day_only_starts),
            ("sites whose start is an earlier season's, listed without dates (items)",
             report.earlier_season_starts),
            ("series a site added after more than a cour aired, listed without dates (items)",
             report.late_additions),
            ("sites listing a show with no start, listed without dates (items)",
             report.listed_without_dates)):
        lines.append(f"{label}: " + ", ".join(f"{site} {count}"
                                               for site, count in counter.most_common()))
    return lines


def first_starts(show: Show) -> dict[str, str]:
    """The first airing's UTC start of each release, as text."""
    starts: dict[str, str] = {}
    for airing in expand_show(show):
        starts.setdefault(airing.release.id, f"{airing.start_utc:%Y-%m-%d %H:%M} UTC")
    return starts


def _counterpart(release: Release, imported: Show) -> Release | None:
    """The imported release a curated one stands for: the same site, or the Japanese broadcast."""
    for candidate in imported.releases:
        if candidate.id == release.id or candidate.id.replace("-", "") == release.id.replace("-", ""):
            return candidate
    if release.kind == "broadcast" and "JP" in release.regions:
        return next((r for r in imported.releases if r.id == "jp-broadcast"), None)
    return None


def disagreements(curated: Mapping[str, Show], imported: Mapping[str, Show]) -> list[str]:
    """Every release where a curated file and the dataset give different first starts."""
    by_subject = {s.ids["bangumi"]: s for s in imported.values() if s.ids.get("bangumi")}
    lines = []
    for show in curated.values():
        twin = by_subject.get(show.ids.get("bangumi", ""))
        if twin is None:
            continue
        ours, theirs = first_starts(show), first_starts(twin)
        for release in show.releases:
            other = _counterpart(release, twin)
            if other and ours[release.id] != theirs[other.id]:
                lines.append(f"{show.id} {release.id}: curated {ours[release.id]}, "
                             f"bangumi-data {theirs[other.id]} ({other.id})")
        if len(show.episodes) != len(twin.episodes):
            lines.append(f"{show.id}: curated {len(show.episodes)} episodes, "
                         f"bangumi-data {len(twin.episodes)}")
    return lines


def refresh_changes(old: Mapping[str, Show], new: Mapping[str, Show]) -> list[str]:
    """What serving the new dataset instead of the old would change, show by show."""
    lines = [f"added {show_id}" for show_id in sorted(set(new) - set(old))]
    lines += [f"removed {show_id}" for show_id in sorted(set(old) - set(new))]
    for show_id in sorted(set(old) & set(new)):
        before, after = old[show_id], new[show_id]
        if len(before.episodes) != len(after.episodes):
            lines.append(f"changed {show_id}: {len(before.episodes)} -> {len(after.episodes)} episodes")
        a, b = _release_starts(before), _release_starts(after)
        for release_id in sorted(set(a) | set(b)):
            if a.get(release_id) != b.get(release_id):
                lines.append(f"changed {show_id} {release_id}: {a.get(release_id, 'none')} -> "
                             f"{b.get(release_id, 'none')}")
    return lines


def _release_starts(show: Show) -> dict[str, str]:
    # The stated start and cadence, not expanded airings: a refresh diff over ~8,500 shows
    # stays quick, and a start or cadence change is what moves every airing.
    return {r.id: f"{r.start} {r.timezone} every {r.every_days} d" for r in show.releases}

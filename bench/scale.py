"""Scale: cold start and peak memory of one worker for 250, 500, 1,000 and 2,000 synthetic shows.

    .venv/bin/python bench/scale.py [--sizes 250,500,1000,2000] [--long-runners N] [--markdown out.md]

Cold start is what a worker does before its first answer: load and validate every schedule,
expand every airing, record revisions (a first start writes them all; a restart reads them),
then render every event once. Each size runs in a fresh process so its peak memory is its own,
three times (a first start on a new state file each time, then a restart); the table shows
the fastest, with the slowest beside it, because run-to-run noise on a shared machine is large.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(schedules: Path, state_path: Path) -> dict:
    """In this process: start the app on the schedules, render every event, report."""
    from calfeed import create_app
    from calfeed.web import state
    from calfeed.publish.selection import other_releases
    from calfeed.render import ics

    started = time.perf_counter()
    app = create_app({"SCHEDULES_DIR": str(schedules), "STATE_PATH": str(state_path),
                      "IMPORT": 0})
    loaded = time.perf_counter()
    with app.app_context():
        published = state.current()
        events = ics.events_of(published)
        every = [a for show_id in published.catalogue.shows
                 for a in published.catalogue.airings[show_id]]
        for airing in every:
            region = min(airing.release.regions)
            events.event(airing, airing.episode_uid(region), None,
                         other_releases(airing.show, airing.release, region))
    rendered = time.perf_counter()
    return {"shows": len(published.catalogue.shows), "events": len(every),
            "load_s": loaded - started, "render_s": rendered - loaded,
            "total_s": rendered - started,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long-runners", type=int, default=0,
                        help="how many of each size's shows run 1,000+ episodes")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(*arguments.measure)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        for size in (int(s) for s in arguments.sizes.split(",")):
            schedules = Path(temporary) / f"shows-{size}"
            subprocess.run([sys.executable, "-m", "calfeed.cli", "synth", str(size),
                            str(schedules), "--long-runners", str(arguments.long_runners)],
                           check=True, capture_output=True)
            runs: dict[str, list[dict]] = {"first start": [], "restart": []}
            for attempt in range(arguments.repeat):
                state_path = Path(temporary) / f"state-{size}-{attempt}.sqlite3"
                for start in runs:
                    done = subprocess.run([sys.executable, __file__, "--measure",
                                           str(schedules), str(state_path)], check=True,
                                          capture_output=True, text=True)
                    runs[start].append(json.loads(done.stdout))
                    print(start, runs[start][-1], file=sys.stderr)
            for start, measured in runs.items():
                best = min(measured, key=lambda r: r["total_s"])
                rows.append({"start": start, **best,
                             "slowest_s": max(r["total_s"] for r in measured),
                             "peak_rss_mb": max(r["peak_rss_mb"] for r in measured)})
    report = render(rows)
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)


def render(rows: list[dict]) -> str:
    base = next((r for r in rows if r["shows"] == 1000 and r["start"] == "first start"), None)
    lines = ["| shows | events | start | load, validate, expand, revisions | render every "
             "event | cold start (best) | slowest run | vs 1,000 shows | peak memory per worker |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ratio = f"{r['total_s'] / base['total_s']:.2f}×" if base and r["start"] == \
            "first start" else ""
        lines.append(f"| {r['shows']} | {r['events']} | {r['start']} | {r['load_s']:.2f} s | "
                     f"{r['render_s']:.2f} s | {r['total_s']:.2f} s | {r['slowest_s']:.2f} s | "
                     f"{ratio} | "
                     f"{r['peak_rss_mb']:.0f} MB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

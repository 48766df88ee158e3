"""The week page on a cold cache: p50/p99 of /week over many regions and weeks, first requests only.

    .venv/bin/python bench/week.py [--shows 1000] [--long-runners 20] [--weeks 26] [--markdown out.md]

With `--shows 0` it serves what `make run` serves (the app's default catalogue); otherwise a
synthetic catalogue of that many shows (calfeed synth) plus Metallic Rouge. Each URL is asked
once, through the Flask test client with the response cache on, so every answer is made by
Flask: a region's week is never answered from memory. "first" is the very first week page of
a fresh process (the per-show selections and the airings' start index are made then);
"cold" is every other first request of a URL: `--weeks` weeks from the data's first season,
in each of the regions named. Timed tests are not used: this is the figure for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ("jp", "us", "gb", "de", "br", "au", "cn", "tw", "kr", "fr")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shows", type=int, default=1000)
    parser.add_argument("--long-runners", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--first-week", default="2024-01-01")
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()

    from calfeed import create_app
    from calfeed.schedule.synthetic import write_synthetic

    work = Path(tempfile.mkdtemp(prefix="calfeed-week-"))
    config = {"STATE_PATH": str(work / "state.sqlite3"), "RELOAD_INTERVAL": 0,
              "CALENDARS_PATH": str(work / "calendars.sqlite3")}
    if arguments.shows:
        folder = work / "schedules"
        write_synthetic(arguments.shows, folder, long_runners=arguments.long_runners)
        shutil.copy(ROOT / "schedules" / "metallic-rouge.yaml", folder)
        config["SCHEDULES_DIR"] = str(folder)
    started = time.perf_counter()
    app = create_app(config)
    loaded = time.perf_counter() - started
    client = app.test_client()
    first_week = date.fromisoformat(arguments.first_week)
    urls = [f"/week?region={region}&from={first_week + timedelta(weeks=n)}"
            for n in range(arguments.weeks) for region in REGIONS]

    def timed(url: str) -> tuple[float, int]:
        began = time.perf_counter()
        answer = client.get(url)
        elapsed = time.perf_counter() - began
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        return elapsed, answer.text.count('class="airing"')

    first, first_items = timed(urls[0])
    cold, items = [], []
    for url in urls[1:]:
        elapsed, count = timed(url)
        cold.append(elapsed)
        items.append(count)
    from calfeed.web import state
    with app.app_context():
        shows = len(state.current().catalog.shows)
    rows = [
        ("catalogue", f"{shows} shows" + (f" ({arguments.shows} synthetic, "
                                                  f"{arguments.long_runners} long runners, "
                                                  "and Metallic Rouge)" if arguments.shows
                                                  else " (the default catalogue)")),
        ("app start (load, validate, expand)", f"{loaded:.1f} s"),
        ("first week page of the process", f"{first * 1000:.1f} ms ({first_items} airings)"),
        (f"cold week pages: {len(cold)} URLs ({len(REGIONS)} regions × {arguments.weeks} weeks)",
         f"p50 {percentile(cold, 0.5) * 1000:.1f} ms, p99 {percentile(cold, 0.99) * 1000:.1f} ms,"
         f" max {max(cold) * 1000:.1f} ms"),
        ("airings on a page", f"median {sorted(items)[len(items) // 2]}, most {max(items)}"),
    ]
    table = "| measure | result |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    if arguments.markdown:
        arguments.markdown.write_text(table + "\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

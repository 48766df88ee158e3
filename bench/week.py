"""The week page on a cold cache: p50/p99 of /week over many regions and weeks, first requests only.

    .venv/bin/python bench/week.py [--shows 1000] [--long-runners 20] [--weeks 26]
                                   [--before REF] [--rounds 1] [--unfrozen] [--markdown out.md]

With `--shows 0` it serves what `make run` serves (the app's default catalogue: the curated
folder and the imported bangumi-data); otherwise a synthetic catalogue of that many shows
(calfeed synth) plus Metallic Rouge. Each URL is asked once, through the Flask test client
with the response cache on, so every answer is made by Flask: a region's week is never
answered from memory. "first" is the very first week page of a fresh process; "cold" is
every other first request of a URL: `--weeks` weeks from the data's first season, in each of
the regions named. Every measurement is a fresh process. With `--before REF` the same
measurement is made on that commit's code (git archive, the same data), alternating with
this code `--rounds` times, and the table puts them side by side (medians over the rounds)
with the ratio; `--unfrozen` adds this code with CALFEED_FREEZE_HEAP=0. Timed tests are not
used: this is the figure for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))     # after the measured code's folder, if any
from bench.before import checkout  # noqa: E402
DATASET = ROOT / "data" / "bangumi" / "node_modules" / "bangumi-data"
REGIONS = ("jp", "us", "gb", "de", "br", "au", "cn", "tw", "kr", "fr")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(code: Path, arguments) -> dict:
    """One fresh process on the code in `code`: app start, the first page, then the others."""
    sys.path.insert(0, str(code))
    from calfeed import create_app
    from calfeed.schedule.synthetic import write_synthetic
    from calfeed.web import state

    work = Path(tempfile.mkdtemp(prefix="calfeed-week-"))
    config = {"STATE_PATH": str(work / "state.sqlite3"), "RELOAD_INTERVAL": 0,
              "CALENDARS_PATH": str(work / "calendars.sqlite3"), "IMPORT_PATH": str(DATASET)}
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
    times, items = [], []
    for url in urls:
        began = time.perf_counter()
        answer = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        items.append(answer.text.count('class="airing"'))
    with app.app_context():
        shows = len(state.current().catalogue.shows)
    shutil.rmtree(work, ignore_errors=True)
    cold = times[1:]
    return {"shows": shows, "start_s": loaded, "first_ms": times[0], "first_items": items[0],
            "cold": len(cold), "p50_ms": percentile(cold, 0.5), "p99_ms": percentile(cold, 0.99),
            "max_ms": max(cold), "items_median": sorted(items)[len(items) // 2],
            "items_most": max(items)}


def in_process(code: Path, arguments, environ: dict[str, str]) -> dict:
    """`measure` in a fresh Python process (the first page of a process is a measure)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--code", str(code), "--json",
               "--shows", str(arguments.shows), "--long-runners", str(arguments.long_runners),
               "--weeks", str(arguments.weeks), "--first-week", arguments.first_week]
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          env={**os.environ, **environ})
    return json.loads(done.stdout.strip().splitlines()[-1])


ROWS = (("app start (load, validate, index)", "start_s", "{:.1f} s"),
        ("first week page of the process", "first_ms", "{:,.1f} ms"),
        ("cold week pages: p50", "p50_ms", "{:.1f} ms"),
        ("cold week pages: p99", "p99_ms", "{:.1f} ms"),
        ("cold week pages: max", "max_ms", "{:.1f} ms"))


def render(runs: dict[str, list[dict]], arguments) -> str:
    one = next(iter(runs.values()))[0]
    catalogue = (f"{one['shows']:,} shows ({arguments.shows} synthetic, {arguments.long_runners}"
                 " long runners, and Metallic Rouge)" if arguments.shows
                 else f"{one['shows']:,} shows (the default catalogue)")
    rounds = arguments.rounds
    lines = [f"{catalogue}; {one['cold']} cold URLs ({len(REGIONS)} regions × {arguments.weeks} "
             f"weeks from {arguments.first_week}); airings on a page: median "
             f"{one['items_median']}, most {one['items_most']}"
             + (f"; medians of {rounds} alternating rounds" if rounds > 1 else ""), "",
             "| measure | " + " | ".join(runs) + (" | now / before |" if len(runs) > 1 else " |"),
             "| --- |" + " ---: |" * (len(runs) + (len(runs) > 1))]
    for label, key, form in ROWS:
        values = [statistics.median(run[key] for run in results) for results in runs.values()]
        ratio = f" {values[-1] / values[0]:.2f} |" if len(values) > 1 and values[0] else ""
        lines.append(f"| {label} | " + " | ".join(form.format(v) for v in values) + " |" + ratio)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shows", type=int, default=1000)
    parser.add_argument("--long-runners", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--first-week", default="2024-01-01")
    parser.add_argument("--before", help="a git commit to measure the same way, side by side")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--unfrozen", action="store_true",
                        help="also this code with CALFEED_FREEZE_HEAP=0 (serve/heap.py)")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)   # a child's code
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.json:
        print(json.dumps(measure(arguments.code or ROOT, arguments)))
        return
    with tempfile.TemporaryDirectory() as temporary:
        codes = {}
        if arguments.before:
            codes[f"before ({arguments.before})"] = (checkout(arguments.before, Path(temporary)),
                                                     {})
        if arguments.unfrozen:
            codes["now, heap not frozen"] = (ROOT, {"CALFEED_FREEZE_HEAP": "0"})
        codes["now"] = (ROOT, {})
        runs: dict[str, list[dict]] = {name: [] for name in codes}
        for _ in range(arguments.rounds):
            for name, (code, environ) in codes.items():
                runs[name].append(in_process(code, arguments, environ))
    table = render(runs, arguments)
    print(table)
    if arguments.markdown:
        arguments.markdown.write_text(table)


if __name__ == "__main__":
    main()

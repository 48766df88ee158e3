"""My calendar: create and edit latency (p99), and feed lookups with 1 vs 100,000 stored calendars.

    .venv/bin/python bench/calendars.py [--calendars 100000] [--markdown out.md]

Through the Flask test client on 60 synthetic shows in Japan: each create or edit is a whole
POST (CSRF check, form read against the catalogue, SQLite write, 303). The feed lookup is the
store alone (`CalendarStore.feed`), timed with one calendar stored and again after filling the
database with `--calendars` calendars of 30 shows each, whose file size is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def lookups(store, feed_ids: list[str], rounds: int = 5000) -> float:
    """Median microseconds of one feed lookup, over random ids among those given."""
    times = []
    for _ in range(rounds):
        feed_id = secrets.choice(feed_ids)
        started = time.perf_counter()
        store.feed(feed_id)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def fill(path: str, count: int, shows: list[str]) -> None:
    """Rows as the store writes them, in one transaction (making 100,000 through HTTP would
    only measure the creation limit)."""
    import sqlite3
    import hashlib
    db = sqlite3.connect(path)
    choices = json.dumps({"alarms": [15], "lang": None, "region": "JP",
                          "shows": {s: None for s in shows[:30]}}, sort_keys=True,
                         separators=(",", ":"))
    with db:
        db.executemany("INSERT INTO calendar (feed_id, edit_hash, generation, choices) "
                       "VALUES (?, ?, 1, ?)",
                       ((secrets.token_urlsafe(16),
                         hashlib.sha256(secrets.token_bytes(32)).hexdigest(), choices)
                        for _ in range(count)))
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calendars", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--markdown")
    args = parser.parse_args()

    from calfeed import create_app
    from calfeed.schedule.synthetic import write_synthetic
    from calfeed.web.calendars import EXTENSION

    work = Path(tempfile.mkdtemp(prefix="calfeed-calendars-"))
    write_synthetic(60, work / "schedules")
    path = str(work / "calendars.sqlite3")
    app = create_app({"SCHEDULES_DIR": str(work / "schedules"),
                      "STATE_PATH": str(work / "state.sqlite3"), "CALENDARS_PATH": path,
                      "CALENDAR_CREATIONS_PER_HOUR": 10 ** 9, "RELOAD_INTERVAL": 0})
    client = app.test_client()
    page = client.get("/calendars/new?region=jp").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    shows = re.findall(r'name="show" value="([^"]+)"', page)
    form = {"region": "jp", "show": shows[:30], "alarm": "15", "csrf_token": token}

    creates, edits, edit_path = [], [], ""
    for _ in range(args.requests):
        started = time.perf_counter()
        answer = client.post("/calendars", data=form)
        creates.append(time.perf_counter() - started)
        assert answer.status_code == 303, answer.text
        edit_path = answer.headers["Location"].split("?")[0]
    for i in range(args.requests):
        started = time.perf_counter()
        answer = client.post(edit_path, data={**form, "show": shows[i % 30: i % 30 + 30]})
        edits.append(time.perf_counter() - started)
        assert answer.status_code == 303, answer.text

    store = app.extensions[EXTENSION]
    import sqlite3
    some = [r[0] for r in sqlite3.connect(path).execute("SELECT feed_id FROM calendar")]
    few = lookups(store, some)
    fill(path, args.calendars, shows)
    many = lookups(store, some)
    size = os.path.getsize(path) + (os.path.getsize(path + "-wal")
                                    if os.path.exists(path + "-wal") else 0)
    rows = [
        ("create a calendar of 30 shows, p99 (POST /calendars)",
         f"{percentile(creates, 0.99) * 1000:.1f} ms"),
        ("edit it, p99 (POST to the edit page)", f"{percentile(edits, 0.99) * 1000:.1f} ms"),
        (f"feed lookup, {args.requests} calendars stored (median)", f"{few:.0f} µs"),
        (f"feed lookup, {args.requests + args.calendars:,} stored (median)", f"{many:.0f} µs"),
        (f"database size with {args.requests + args.calendars:,} calendars of 30 shows",
         f"{size / 1e6:.1f} MB"),
    ]
    table = "| measure | result |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")


if __name__ == "__main__":
    main()

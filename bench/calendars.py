"""My calendar: create and edit latency (p99), feed lookups with 1 vs 100,000 stored calendars,
and a personal feed of 30 shows served by `make run`'s server against nginx serving its bytes.

    .venv/bin/python bench/calendars.py [--calendars 100000] [--markdown out.md]
    .venv/bin/python bench/calendars.py --serving [--seconds 10] [--markdown out.md]

Through the Flask test client on 60 synthetic shows in Japan: each create or edit is a whole
POST (CSRF check, form read against the catalogue, SQLite write, 303). The feed lookup is the
store alone (`CalendarStore.feed`), timed with one calendar stored and again after filling the
database with `--calendars` calendars of 30 shows each, whose file size is reported; and a
whole feed request through the app (generation read, response cache) with each number stored.

`--serving` runs the production server (deploy/serve.py: granian, 2 workers, access log off)
on the same 60 shows, makes a 30-show calendar through its form, saves the feed's bytes as a
static file for nginx (deploy/nginx/static-export.conf) and drives both with wrk in rounds,
each server once a round, as bench/serving.py does; the ratio is taken within each round.
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


def feed_requests(client, path: str, rounds: int = 300) -> float:
    """p99 milliseconds of a whole personal-feed request through the app as served: the
    calendar's generation read, then the response cache (Flask renders it on the first)."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return percentile(times, 0.99) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calendars", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--markdown")
    parser.add_argument("--serving", action="store_true")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.serving:
        return serving(args)

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
    feed_path = f"/feeds/my/{some[-1]}.ics"
    few, few_feed = lookups(store, some), feed_requests(client, feed_path)
    fill(path, args.calendars, shows)
    many, many_feed = lookups(store, some), feed_requests(client, feed_path)
    size = os.path.getsize(path) + (os.path.getsize(path + "-wal")
                                    if os.path.exists(path + "-wal") else 0)
    rows = [
        ("create a calendar of 30 shows, p99 (POST /calendars)",
         f"{percentile(creates, 0.99) * 1000:.1f} ms (p50 {percentile(creates, 0.5) * 1000:.1f})"),
        ("edit it, p99 (POST to the edit page)",
         f"{percentile(edits, 0.99) * 1000:.1f} ms (p50 {percentile(edits, 0.5) * 1000:.1f})"),
        (f"feed lookup, {args.requests} calendars stored (median)", f"{few:.0f} µs"),
        (f"feed lookup, {args.requests + args.calendars:,} stored (median)", f"{many:.0f} µs"),
        (f"30-show feed request, {args.requests} calendars stored (p99)", f"{few_feed:.1f} ms"),
        (f"30-show feed request, {args.requests + args.calendars:,} stored (p99)",
         f"{many_feed:.1f} ms"),
        (f"database size with {args.requests + args.calendars:,} calendars of 30 shows",
         f"{size / 1e6:.1f} MB"),
    ]
    table = "| measure | result |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")


def serving(args) -> None:
    """The personal feed through the production server against nginx serving the same bytes."""
    import platform
    import shutil
    import subprocess
    import urllib.parse
    import urllib.request
    from bench.loopback import fetch, free_port, nginx, wait_for
    from bench.serving import wrk
    from calfeed.schedule.synthetic import write_synthetic

    nginx_binary = shutil.which("nginx") or sys.exit("nginx is needed: apt-get install nginx")
    shutil.which("wrk") or sys.exit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="calfeed-personal-"))
    write_synthetic(60, work / "schedules")
    app_port, static_port = free_port(), free_port()
    base = f"http://127.0.0.1:{app_port}"
    env = {**os.environ, "CALFEED_SCHEDULES_DIR": str(work / "schedules"),
           "CALFEED_STATE_PATH": str(work / "state.sqlite3"),
           "CALFEED_CALENDARS_PATH": str(work / "calendars.sqlite3"), "CALFEED_WORKERS": "2",
           "CALFEED_BIND": f"127.0.0.1:{app_port}", "CALFEED_ACCESS_LOG": "0",
           "CALFEED_RELOAD_INTERVAL": "0"}
    server = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve.py")], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"{base}/calendars/new?region=jp", server, seconds=300)
        # The form as a browser sends it: its CSRF token in the field and in the cookie.
        _, headers, page_bytes = fetch(f"{base}/calendars/new?region=jp")
        cookie = headers["Set-Cookie"].split(";")[0]
        page = page_bytes.decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        shows = re.findall(r'name="show" value="([^"]+)"', page)[:30]
        form = urllib.parse.urlencode({"region": "jp", "show": shows, "alarm": "15",
                                       "csrf_token": token}, doseq=True).encode()
        request = urllib.request.Request(f"{base}/calendars", data=form,
                                         headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=30) as answer:   # follows the 303
            edit_page = answer.read().decode()
        feed_url = re.search(r'value="(http://[^"]+/feeds/my/[^"]+\.ics)"', edit_page).group(1)
        feed_path = urllib.parse.urlsplit(feed_url).path
        status, _, body = fetch(base + feed_path)
        assert status == 200 and body.count(b"BEGIN:VEVENT") > 0, status
        static_file = work / "site" / feed_path.lstrip("/")
        static_file.parent.mkdir(parents=True)
        static_file.write_bytes(body)
        with nginx(nginx_binary, "static-export.conf", work / "nginx", listen=static_port,
                   root=work / "site", access_log=False) as static:
            targets = {"nginx static file": static, "app (granian, 2 workers)": base}
            for target in targets.values():   # warm connections and caches
                assert fetch(target + feed_path)[2] == body
            rounds = [{name: wrk(target + feed_path, args.seconds, args.connections, {})
                       for name, target in targets.items()} for _ in range(args.repeat)]
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; wrk -t2 -c{args.connections} -d{args.seconds}s on "
             f"loopback; median of {args.repeat} rounds, ratio within each round. A personal "
             f"feed of 30 synthetic shows, {body.count(b'BEGIN:VEVENT')} events, "
             f"{len(body):,} bytes, reminder 15 minutes.", "",
             "| server | req/s | p50 | p99 | vs nginx static | non-2xx/3xx |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name in targets:
        runs = sorted((r[name] for r in rounds), key=lambda r: r["rps"])
        ratios = sorted(r[name]["rps"] / r["nginx static file"]["rps"] for r in rounds)
        middle = runs[len(runs) // 2]
        lines.append(f"| {name} | {middle['rps']:.0f} | {middle['p50']} | {middle['p99']} | "
                     f"{ratios[len(ratios) // 2]:.2f}× | {middle['errors']} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.markdown:
        Path(args.markdown).write_text(report)


if __name__ == "__main__":
    main()

"""My calendar: create and edit latency (p99), feed lookups with 1 vs 100,000 stored calendars,
and a personal feed of 30 shows served by `make run`'s server against nginx serving its bytes.

    .venv/bin/python bench/calendars.py [--calendars 100000] [--markdown out.md]
    .venv/bin/python bench/calendars.py --serving [--seconds 10] [--threads 2,1] [--markdown x]

Through the Flask test client on 60 synthetic shows in Japan: each create or edit is a whole
POST (origin check, form read against the catalogue, SQLite write, 303). The feed lookup is the
store alone (`CalendarStore.feed`), timed with one calendar stored and again after filling the
database with `--calendars` calendars of 30 shows each, whose file size is reported; and a
whole feed request through the app (generation read, response cache) with each number stored.

`--serving` runs the production server (deploy/serve.py: granian, 2 workers, access log off)
on the same 60 shows, makes a 30-show calendar through its form, saves the feed's bytes as a
static file for nginx (deploy/nginx/static-export.conf) and drives both with wrk in rounds,
each server once a round, as bench/serving.py does; the ratio is taken within each round.
`--threads 2,1` serves the same data with one app server per threads-per-worker setting,
side by side in the same rounds. Each row also gives the server's CPU time per request (its
processes' user and system time over the round, from /proc).
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
    parser.add_argument("--threads", default="",
                        help="with --serving: comma-separated threads per worker, one app "
                             "server each, side by side (default: deploy/serve.py's)")
    args = parser.parse_args()
    if args.serving:
        return serving(args)

    from calfeed import create_app
    from calfeed.schedule.synthetic import write_synthetic
    from calfeed.web import state

    work = Path(tempfile.mkdtemp(prefix="calfeed-calendars-"))
    write_synthetic(60, work / "schedules")
    path = str(work / "calendars.sqlite3")
    app = create_app({"SCHEDULES_DIR": str(work / "schedules"),
                      "STATE_PATH": str(work / "state.sqlite3"), "CALENDARS_PATH": path,
                      "CALENDAR_CREATIONS_PER_HOUR": 10 ** 9, "RELOAD_INTERVAL": 0})
    client = app.test_client()
    # As a browser sends a form from calfeed's own page (calendar_cookie.check_origin).
    client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"
    shows = client.get("/api/v1/regions/jp").get_json()["shows"]
    form = {"region": "jp", "show": shows[:30], "alarm": "15"}

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

    store = state.service(app).calendars
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
    static_port = free_port()
    # One app server per threads setting, on the same data and calendars database.
    settings = [t.strip() for t in args.threads.split(",") if t.strip()] or [None]
    servers: dict[str, tuple[str, subprocess.Popen]] = {}
    try:
        for threads in settings:
            app_port = free_port()
            env = {**os.environ, "CALFEED_SCHEDULES_DIR": str(work / "schedules"),
                   "CALFEED_STATE_PATH": str(work / "state.sqlite3"),
                   "CALFEED_CALENDARS_PATH": str(work / "calendars.sqlite3"),
                   "CALFEED_WORKERS": "2", "CALFEED_BIND": f"127.0.0.1:{app_port}",
                   "CALFEED_ACCESS_LOG": "0", "CALFEED_RELOAD_INTERVAL": "0",
                   **({"CALFEED_THREADS": threads} if threads else {})}
            name = "app (granian, 2 workers" + (f", {threads} thread{'s' * (threads != '1')} "
                                                "each)" if threads else ")")
            servers[name] = (f"http://127.0.0.1:{app_port}", subprocess.Popen(
                [sys.executable, str(ROOT / "deploy" / "serve.py")], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for base, server in servers.values():
            wait_for(f"{base}/calendars/new?region=jp", server, seconds=300)
        base = next(iter(servers.values()))[0]
        # The form as a browser sends it from calfeed's own page.
        _, _, regions = fetch(f"{base}/api/v1/regions/jp")
        shows = json.loads(regions)["shows"][:30]
        form = urllib.parse.urlencode({"region": "jp", "show": shows, "alarm": "15"},
                                      doseq=True).encode()
        request = urllib.request.Request(f"{base}/calendars", data=form,
                                         headers={"Sec-Fetch-Site": "same-origin"})
        with urllib.request.urlopen(request, timeout=30) as answer:   # follows the 303
            edit_page = answer.read().decode()
        feed_url = re.search(r'data-calendar-feed="(http://[^"]+/feeds/my/[^"]+\.ics)"',
                             edit_page).group(1)
        feed_path = urllib.parse.urlsplit(feed_url).path
        status, _, body = fetch(base + feed_path)
        assert status == 200 and body.count(b"BEGIN:VEVENT") > 0, status
        static_file = work / "site" / feed_path.lstrip("/")
        static_file.parent.mkdir(parents=True)
        static_file.write_bytes(body)
        with nginx(nginx_binary, "static-export.conf", work / "nginx", listen=static_port,
                   root=work / "site", access_log=False) as static:
            targets = {"nginx static file": static,
                       **{name: url for name, (url, _) in servers.items()}}
            # Warm connections and caches. Each server names its own address in the feed
            # (URL), so the bytes differ by the port's digits, not in length.
            for target in targets.values():
                assert len(fetch(target + feed_path)[2]) == len(body)
            # Whose CPU time counts: nginx's workers and granian's, started by now.
            pids = {"nginx static file": _nginx_pids(work / "nginx"),
                    **{name: _process_tree(server.pid) for name, (_, server) in servers.items()}}
            rounds = [{name: _with_cpu(lambda target=target: wrk(target + feed_path, args.seconds,
                                                                 args.connections, {}),
                                      pids[name])
                       for name, target in targets.items()}
                      for _ in range(args.repeat)]
    finally:
        for _, server in servers.values():
            server.terminate()
        for _, server in servers.values():
            server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; wrk -t2 -c{args.connections} -d{args.seconds}s on "
             f"loopback; median of {args.repeat} rounds, ratio within each round. A personal "
             f"feed of 30 synthetic shows, {body.count(b'BEGIN:VEVENT')} events, "
             f"{len(body):,} bytes, reminder 15 minutes.", "",
             "| server | req/s | p50 | p99 | vs nginx static | server CPU µs a request "
             "| non-2xx/3xx |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in targets:
        runs = sorted((r[name] for r in rounds), key=lambda r: r["rps"])
        ratios = sorted(r[name]["rps"] / r["nginx static file"]["rps"] for r in rounds)
        cpu = sorted(r[name]["cpu_us"] for r in rounds)
        middle = runs[len(runs) // 2]
        lines.append(f"| {name} | {middle['rps']:.0f} | {middle['p50']} | {middle['p99']} | "
                     f"{ratios[len(ratios) // 2]:.2f}× | {cpu[len(cpu) // 2]:.0f} | "
                     f"{middle['errors']} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.markdown:
        Path(args.markdown).write_text(report)


def _process_tree(pid: int) -> list[int]:
    """A process and its descendants (granian's workers), whose CPU time a round counts."""
    import subprocess
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                              text=True).stdout.split()
    return [pid] + [found for child in children for found in _process_tree(int(child))]


def _nginx_pids(folder: Path) -> list[int]:
    return _process_tree(int((folder / "nginx.pid").read_text()))


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])    # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _with_cpu(run, pids: list[int]) -> dict:
    """wrk's figures and the server's CPU time per request over the run: a measure that a busy
    machine disturbs less than the rate, since other work takes turns, not CPU time, from it."""
    before = _cpu_seconds(pids)
    found = run()
    found["cpu_us"] = (_cpu_seconds(pids) - before) / max(found["requests"], 1) * 1e6
    return found


if __name__ == "__main__":
    main()

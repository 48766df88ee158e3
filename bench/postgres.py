"""Personal calendars with PostgreSQL against SQLite, and two instances on one database against
one, side by side in one run.

    .venv/bin/python bench/postgres.py [--seconds 10] [--repeat 3] [--markdown out.md]
        [--ports 8140] [--pg-port 55400]

Every server is `make run`'s (deploy/serve.py: granian, access log off) on 60 synthetic shows:
- sqlite: one instance, 2 workers, calendars in instance/ (SQLite);
- postgres: one instance, 2 workers, on a throwaway PostgreSQL cluster (tests/postgres.py);
- 2 instances: two instances of 1 worker each, their own instance folders, one database: the
  same two cores as the others, split across two services' worth of processes.
In rounds (each server once a round, ratios taken within a round): wrk on a 30-show personal
feed (the response cache's answer after the calendar's generation is read), two wrk at once
for the two instances (their rates summed); then 200 creates and 200 edits of a 30-show
calendar, one after another, each a whole POST (CSRF, form, the store's write, 303): p99.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calendars import percentile  # noqa: E402
from bench.loopback import free_port, wait_for  # noqa: E402
from bench.serving import wrk as wrk_run  # noqa: E402


def wrk(url: str, seconds: int, connections: int, headers: dict) -> dict:
    result = wrk_run(url, seconds, connections, headers)
    assert result["errors"] == 0, f"{url}: {result['errors']} answers were not 200"
    return result


class Server:
    def __init__(self, name: str, port: int, env: dict):
        self.name, self.port = name, port
        self.process = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve.py")],
                                        env={**os.environ, **env, "CALFEED_BIND":
                                             f"127.0.0.1:{port}"},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def form(self) -> tuple[http.client.HTTPConnection, dict, str]:
        """A connection, the form's fields and the cookie to send them with (none since
        forms are judged by their Origin; code of before gave a CSRF token and its cookie)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", "/calendars/new?region=jp")
        answer = connection.getresponse()
        page = answer.read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        connection.request("GET", "/api/v1/regions/jp")
        shows = json.loads(connection.getresponse().read())["shows"]
        fields = {"region": "jp", "show": shows[:30], "alarm": "15"}
        if token:
            fields["csrf_token"] = token.group(1)
        return connection, fields, (answer.headers.get("Set-Cookie") or "").split(";")[0]

    def post(self, connection, path: str, fields: dict, cookie: str) -> tuple[int, str]:
        connection.request("POST", path, urlencode(fields, doseq=True),
                           {"Content-Type": "application/x-www-form-urlencoded",
                            "Cookie": cookie, "Origin": f"http://127.0.0.1:{self.port}"})
        answer = connection.getresponse()
        answer.read()
        return answer.status, answer.headers.get("Location", "")

    def calendar(self) -> str:
        """A 30-show calendar made through the form: its feed's path."""
        connection, fields, cookie = self.form()
        status, location = self.post(connection, "/calendars", fields, cookie)
        assert status == 303, status
        connection.request("GET", urlsplit(location).path)
        page = connection.getresponse().read().decode()
        return re.search(r"/feeds/my/[^\"<]+\.ics", page).group(0)

    def writes(self, count: int) -> tuple[float, float]:
        """p99 milliseconds of `count` creates, then of `count` edits of the last one."""
        connection, fields, cookie = self.form()
        creates, edits, edit_path = [], [], ""
        for _ in range(count):
            started = time.perf_counter()
            status, location = self.post(connection, "/calendars", fields, cookie)
            creates.append(time.perf_counter() - started)
            assert status == 303, status
            edit_path = urlsplit(location).path
        shows = fields["show"]
        for i in range(count):
            changed = {**fields, "show": shows[i % 15:] + shows[:i % 15]}
            started = time.perf_counter()
            status, _ = self.post(connection, edit_path, changed, cookie)
            edits.append(time.perf_counter() - started)
            assert status == 303, status
        connection.close()
        return percentile(creates, 0.99) * 1000, percentile(edits, 0.99) * 1000


def main() -> None:
    from calfeed.schedule.synthetic import write_synthetic
    from tests.postgres import Cluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--ports", type=int, default=0, help="first of 4 app ports (default: "
                                                             "free ones)")
    parser.add_argument("--pg-port", type=int, default=0)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()

    cluster = Cluster(args.pg_port or None)
    work = Path(tempfile.mkdtemp(prefix="calfeed-pg-bench-"))
    write_synthetic(60, work / "schedules")
    ports = [args.ports + i if args.ports else free_port() for i in range(4)]
    common = {"CALFEED_SCHEDULES_DIR": str(work / "schedules"), "CALFEED_ACCESS_LOG": "0",
              "CALFEED_RELOAD_INTERVAL": "0", "CALFEED_IMPORT": "0",
              "CALFEED_CALENDAR_CREATIONS_PER_HOUR": str(10 ** 9)}

    def instance(name: str, workers: int, port: int, url: str = "") -> Server:
        folder = work / name.replace(" ", "-")
        return Server(name, port, {**common, "CALFEED_WORKERS": str(workers),
                                   "CALFEED_STATE_PATH": str(folder / "state.sqlite3"),
                                   "CALFEED_CALENDARS_PATH": str(folder / "calendars.sqlite3"),
                                   "CALFEED_DATABASE_URL": url})
    shared = cluster.new_database()
    servers = [instance("sqlite", 2, ports[0]), instance("postgres", 2, ports[1],
                                                         cluster.new_database()),
               instance("2 instances a", 1, ports[2], shared),
               instance("2 instances b", 1, ports[3], shared)]
    try:
        for server in servers:
            wait_for(f"http://127.0.0.1:{server.port}/healthz", server.process, seconds=300)
        feeds = {server.name: server.calendar() for server in servers[:3]}
        feeds[servers[3].name] = feeds[servers[2].name]      # the same calendar, shared
        rates: dict[str, list[float]] = {"sqlite": [], "postgres": [], "2 instances": []}
        writes: dict[str, list[tuple[float, float]]] = {"sqlite": [], "postgres": []}
        for _ in range(args.repeat):
            for server in servers[:2]:
                url = f"http://127.0.0.1:{server.port}{feeds[server.name]}"
                rates[server.name].append(wrk(url, args.seconds, args.connections, {})["rps"])
            both: list[float] = []

            def drive(server: Server, into: list[float]) -> None:
                into.append(wrk(f"http://127.0.0.1:{server.port}{feeds[server.name]}",
                                args.seconds, args.connections // 2, {})["rps"])
            runs = [threading.Thread(target=drive, args=(s, both)) for s in servers[2:]]
            for run in runs:
                run.start()
            for run in runs:
                run.join()
            rates["2 instances"].append(sum(both))
            for server in servers[:2]:
                writes[server.name].append(server.writes(args.writes))
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            server.process.wait(timeout=60)
        cluster.remove()
        shutil.rmtree(work, ignore_errors=True)

    def median(values):
        return statistics.median(values)
    ratio = [p / s for p, s in zip(rates["postgres"], rates["sqlite"], strict=True)]
    two = [t / p for t, p in zip(rates["2 instances"], rates["postgres"], strict=True)]

    def writes_row(label: str, i: int) -> tuple:
        sqlite, pg = [w[i] for w in writes["sqlite"]], [w[i] for w in writes["postgres"]]
        ratios = [p / s for p, s in zip(pg, sqlite, strict=True)]
        return (label, f"{median(sqlite):.1f} ms", f"{median(pg):.1f} ms",
                f"{median(ratios):.2f}× (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    rows = [
        ("personal feed, 30 shows (wrk, requests/s, median of rounds)",
         f"{median(rates['sqlite']):,.0f}", f"{median(rates['postgres']):,.0f}",
         f"{median(ratio):.2f}× (rounds: {', '.join(f'{r:.2f}' for r in ratio)})"),
        writes_row("create a 30-show calendar, p99", 0),
        writes_row("edit it, p99", 1),
        ("personal feed: 2 instances of 1 worker on one database (summed) against 1 instance "
         "of 2", "", f"{median(rates['2 instances']):,.0f}",
         f"{median(two):.2f}× of one instance (rounds: {', '.join(f'{r:.2f}' for r in two)})"),
    ]
    table = ("| measure | SQLite | PostgreSQL | PostgreSQL / SQLite |\n| --- | --- | --- | --- |\n"
             + "\n".join(f"| {' | '.join(row)} |" for row in rows))
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")


if __name__ == "__main__":
    main()

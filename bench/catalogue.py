"""The whole imported catalogue through the production server, from a quarter of it to all.

    .venv/bin/python bench/catalogue.py [--fractions 0.25,0.5,0.75,1] [--sample 500]
                                        [--restart] [--before REF] [--markdown out.md]

For each fraction, a package folder holding that share of the pinned bangumi-data's items
(drawn with a fixed seed, each share inside the next, same siteMeta and version) is served by
deploy/serve.py (granian, one worker so that it sees every request, access log off) on a fresh
state database, through CALFEED_IMPORT_PATH beside the bundled schedules. Measured:

- start to first answer: from launching the server to Metallic Rouge's Japanese feed holding
  its verified first broadcast (DTSTART:20240110T155500Z), polled every 50 ms;
- the worker's RSS after start, after the sample below, and after every show's feed;
- the first request of `--sample` show feeds and of as many show API documents (other shows),
  drawn with a fixed seed: p50, p99, max;
- the first request of each of 12 region feeds (a cold cache: each renders what it lists);
- every show's feed once (the worst case for the airings a worker keeps, bounded by
  MAX_AIRINGS, and for the rendered events kept, bounded by EVENT_CACHE_MAX_BYTES).

With --restart the largest share then starts again on the same state database (revisions
read, not written) and measures the start, the sample and the region feeds again. With
--before REF the largest share is first measured the same way on that commit's code (a
`git archive` of it), so that before and now are compared within one run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.before import checkout  # noqa: E402
from bench.loopback import free_port  # noqa: E402

FIRST = ("/feeds/jp/metallic-rouge.ics", b"DTSTART:20240110T155500Z")
REGIONS = ("jp", "us", "gb", "cn", "tw", "hk", "fr", "de", "br", "au", "kr", "in")
SEED = 12


def subset(fraction: float, into: Path) -> Path:
    """A package folder with `fraction` of the pinned dataset's items, in dataset order; the
    same seed makes each smaller share part of every larger one."""
    from calfeed.source.bangumi import DATASET
    data = json.loads((DATASET / "dist" / "data.json").read_text(encoding="utf-8"))
    order = list(range(len(data["items"])))
    random.Random(SEED).shuffle(order)
    kept = sorted(order[:round(len(order) * fraction)])
    data["items"] = [data["items"][index] for index in kept]
    (into / "dist").mkdir(parents=True)
    (into / "dist" / "data.json").write_text(json.dumps(data, ensure_ascii=False),
                                             encoding="utf-8")
    shutil.copy(DATASET / "package.json", into / "package.json")
    return into


def served_shows(dataset: Path) -> tuple[list[tuple[str, str]], int]:
    """(show id, region to ask its feed in) for every show served, and the airings there are:
    the same import and merge as the server's, in this process."""
    from calfeed.config import BUNDLED_SCHEDULES
    from calfeed.publish.catalogue import load_catalogue
    from calfeed.source.bangumi import load_dataset
    from calfeed.source.loading import Imported
    shows, report = load_dataset(dataset, datetime.now(timezone.utc))
    catalogue = load_catalogue(BUNDLED_SCHEDULES, imported=Imported(shows, report, "x", "x"))
    # An imported show airs each episode once per release (no skips, no follows).
    airings = sum(len(catalogue.airings[s]) if s not in catalogue.imported else
                  len(show.episodes) * len(show.releases) for s, show in catalogue.shows.items())
    return [(show_id, "jp" if "JP" in show.regions else min(show.regions).lower())
            for show_id, show in catalogue.shows.items()], airings


class Server:
    """deploy/serve.py with one worker on a free port."""

    def __init__(self, dataset: Path, state: Path, code: Path = ROOT):
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(code), "CALFEED_IMPORT_PATH": str(dataset),
               "CALFEED_STATE_PATH": str(state),
               "CALFEED_CALENDARS_PATH": str(state.with_suffix(".calendars")),
               "CALFEED_WORKERS": "1", "CALFEED_ACCESS_LOG": "0",
               "CALFEED_BIND": f"127.0.0.1:{self.port}"}
        self.launched = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, str(code / "deploy" / "serve.py")],
                                        env=env, cwd=code, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        self.connection: http.client.HTTPConnection | None = None

    def first_answer(self, seconds: float = 300) -> float:
        """Seconds from launch to the first correct answer."""
        deadline = self.launched + seconds
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()}")
            try:
                status, body = self.get(FIRST[0])
                if status == 200:
                    if FIRST[1] not in body:
                        raise RuntimeError(f"wrong first answer: {body[:400]!r}")
                    return time.perf_counter() - self.launched
            except (OSError, http.client.HTTPException):
                self.connection = None
            time.sleep(0.05)
        raise RuntimeError(f"no answer in {seconds} s")

    def get(self, path: str) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection = None
            raise

    def timed(self, path: str, expect: bytes) -> float:
        """Milliseconds to answer `path`, checked: 200 and the body starts as it should."""
        started = time.perf_counter()
        status, body = self.get(path)
        took = (time.perf_counter() - started) * 1000
        if status != 200 or not body.startswith(expect):
            raise RuntimeError(f"{path}: {status} {body[:300]!r}")
        return took

    def worker_rss_mb(self) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split()
        assert len(pids) == 1, f"one worker expected, found {pids}"
        status = Path(f"/proc/{pids[0]}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def spread(timed: dict[str, float]) -> dict:
    """p50, p99 and max of milliseconds by path, naming the slowest paths."""
    ordered = sorted(timed.values())
    at = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    slowest = sorted(timed, key=timed.get)[-3:]
    return {"p50": at(0.5), "p99": at(0.99), "max": ordered[-1], "n": len(ordered),
            "slowest": {path: round(timed[path], 1) for path in slowest}}


def each(server: Server, paths: list[str], expect: bytes) -> dict[str, float]:
    return {path: server.timed(path, expect) for path in paths}


def run_once(dataset: Path, state: Path, shows: list[tuple[str, str]], sample: int,
             every: bool, code: Path = ROOT) -> dict:
    server = Server(dataset, state, code)
    try:
        result = {"first_answer_s": server.first_answer()}
        time.sleep(0.5)         # the worker's other thread settles
        result["rss_start"] = server.worker_rss_mb()
        chosen = random.Random(SEED).sample(shows, min(2 * sample, len(shows)))
        result["feed"] = spread(each(server, [f"/feeds/{region}/{show}.ics"
                                              for show, region in chosen[:sample]],
                                     b"BEGIN:VCALENDAR"))
        result["api"] = spread(each(server, [f"/api/v1/shows/{show}"
                                             for show, _ in chosen[sample:]], b"{"))
        result["regions"] = {code: server.timed(f"/feeds/{code}.ics", b"BEGIN:VCALENDAR")
                             for code in REGIONS}
        result["rss_sample"] = server.worker_rss_mb()
        if every:
            asked = {show for show, _ in chosen[:sample]}
            started = time.perf_counter()
            result["every"] = spread(each(server, [f"/feeds/{region}/{show}.ics"
                                                   for show, region in shows
                                                   if show not in asked], b"BEGIN:VCALENDAR"))
            result["every_s"] = time.perf_counter() - started
            result["rss_every"] = server.worker_rss_mb()
        return result
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fractions", default="0.25,0.5,0.75,1")
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--restart", action="store_true")
    parser.add_argument("--before", help="a git commit to measure the largest share on too")
    parser.add_argument("--no-every", action="store_true", help="skip every show's feed")
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()
    rows = []
    fractions = [float(f) for f in arguments.fractions.split(",")]
    with tempfile.TemporaryDirectory() as temporary:
        for fraction in fractions:
            folder = Path(temporary) / f"part-{fraction}"
            dataset = subset(fraction, folder / "bangumi-data")
            state = folder / "state.sqlite3"
            shows, airings = served_shows(dataset)
            if arguments.before and fraction == max(fractions):
                before = run_once(dataset, folder / "before.sqlite3", shows, arguments.sample,
                                  not arguments.no_every,
                                  checkout(arguments.before, Path(temporary)))
                rows.append({"fraction": fraction, "shows": len(shows), "airings": airings,
                             "start": f"first start, before ({arguments.before})", **before})
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            measured = run_once(dataset, state, shows, arguments.sample,
                                not arguments.no_every)
            rows.append({"fraction": fraction, "shows": len(shows), "airings": airings,
                         "start": "first start", **measured})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            if arguments.restart and fraction == max(fractions):
                again = run_once(dataset, state, shows, arguments.sample, False)
                rows.append({"fraction": fraction, "shows": len(shows), "airings": airings,
                             "start": "restart", **again})
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    report = render(rows, arguments)
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)


def render(rows: list[dict], arguments) -> str:
    load = os.getloadavg()
    lines = [f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
             f"{platform.python_version()}, Linux {platform.release()}; one granian worker; "
             f"{arguments.sample} show feeds and {arguments.sample} API documents per start; "
             f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.", "",
             "| share | shows | airings | start | start → first answer | RSS after start | "
             "after the sample | after every feed | show feed p50 / p99 / max | "
             "show API p50 / p99 / max | region feeds cold, slowest | every show's feed "
             "p99 / max (seconds) |",
             "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |"]
    for r in rows:
        share = "all" if r["fraction"] >= 1 else f"{round(r['fraction'] * 4)}/4"
        slowest = max(r["regions"], key=r["regions"].get)
        every = (f"{r['every']['p99']:.1f} / {r['every']['max']:.0f} ms ({r['every_s']:.0f} s)"
                 if "every" in r else "")
        lines.append(
            f"| {share} | {r['shows']:,} | {r['airings']:,} | {r['start']} | "
            f"{r['first_answer_s']:.1f} s | {r['rss_start']:.0f} MB | {r['rss_sample']:.0f} MB | "
            + (f"{r['rss_every']:.0f} MB" if "rss_every" in r else "") + " | "
            f"{r['feed']['p50']:.1f} / {r['feed']['p99']:.1f} / {r['feed']['max']:.0f} ms | "
            f"{r['api']['p50']:.1f} / {r['api']['p99']:.1f} / {r['api']['max']:.0f} ms | "
            f"{r['regions'][slowest]:.0f} ms ({slowest.upper()}) | {every} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

"""Worker memory under URLs and Host headers never asked for before: RSS growth of a production
worker (deploy/serve.py, granian) after 20,000 distinct variant URLs and 20,000 distinct Hosts.

    .venv/bin/python bench/memory.py [--variants 20000] [--hosts 20000] [--languages 20000]
                                     [--before REF] [--markdown out.md]

The catalogue is 1,000 synthetic shows plus Metallic Rouge. Each server runs one worker
(CALFEED_WORKERS=1, so that one worker sees every request: the worst case for its caches) with
two threads, access log off. After a warm-up (every kind of URL asked twice) the worker's RSS
is the baseline; then come, four client threads at a time, the variant URLs (feed alarm and
lang variants, region feeds, show pages, API show documents with tz and lang,
/api/v1/schedule?releases=all windows), the Host values (a show feed, the API's shows and
regions documents, a show page and, one in ten, the 900 KB US region feed, each under a new
Host), and Accept-Language values on pages (not on the --before code, whose pages are not
cached). RSS is read after each flood and sampled every
0.2 s for the peak. With --before REF the same run is made first on that commit's code (a
`git archive` of it), so the ratio is taken within one run on the same machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.before import checkout  # noqa: E402
from bench.loopback import free_port, wait_for  # noqa: E402
from bench.serving import prepare  # noqa: E402

SHOWS = 1000
REGIONS = ("us", "gb", "jp", "ca", "au", "de", "fr", "br", "in", "kr", "tw", "mx")
DAY = date(2024, 1, 1)
ZONES = ("America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "UTC")


def variant_paths(count: int) -> list[str]:
    """`count` distinct URLs, cycling through the kinds of variant a client can make up: one in
    a hundred a whole region feed (up to 900 KB, 200 of them among 20,000: twelve times the
    response cache's bound) and one in a hundred a window of the schedule API, the rest show
    feeds, show pages and show documents (rendering the large ones is what takes the time)."""
    kinds = [
        lambda k, show: f"/feeds/us/metallic-rouge.ics?alarm={k % 10_000}"
                        f"&lang={('en', 'ja')[k // 10_000 % 2]}",
        lambda k, show: f"/feeds/jp/{show}.ics?alarm={k}",
        lambda k, show: f"/feeds/{REGIONS[k % len(REGIONS)]}.ics?alarm={k // len(REGIONS)}",
        lambda k, show: f"/shows/{show}?region={REGIONS[k // SHOWS % len(REGIONS)]}"
                        f"&alarm={(15, 60)[k // SHOWS // len(REGIONS) % 2]}",
        lambda k, show: f"/api/v1/shows/{show}?tz={ZONES[k // SHOWS % len(ZONES)]}",
        lambda k, show: f"/api/v1/schedule?releases=all&from={DAY + timedelta(k % 1000)}"
                        f"&to={DAY + timedelta(k % 1000 + 1 + k // 1000)}",
    ]
    weights = (40, 20, 1, 18, 20, 1)      # out of 100
    cycle = [kind for kind, weight in zip(kinds, weights, strict=True) for _ in range(weight)]
    made: dict = {}
    paths = []
    for n in range(count):
        kind = cycle[n % len(cycle)]
        k = made[kind] = made.get(kind, -1) + 1        # the request's number within its kind
        paths.append(kind(k, f"synthetic-{k % SHOWS + 1:04d}"))
    assert len(set(paths)) == len(paths), "variants must be distinct"
    return paths


# Under a new Host each: Metallic Rouge's feeds, page and API document (80 KB), and one in a
# hundred each of the large documents: the list of shows (400 KB whole before 127aae7, its first
# page of 100 since), the regions (1.9 MB with every region's show ids before ef03a3e, their
# counts since) and the US region feed (900 KB).
HOST_PATHS = (("/feeds/us/metallic-rouge.ics", "/shows/metallic-rouge?region=us",
               "/feeds/us/metallic-rouge.ics?alarm=15", "/feeds/jp/metallic-rouge.ics",
               "/shows/metallic-rouge?region=jp") * 20)[:87] + \
    ("/api/v1/shows/metallic-rouge",) * 10 + ("/api/v1/shows", "/api/v1/regions", "/feeds/us.ics")


def host_requests(count: int) -> list[tuple[str, dict]]:
    return [(HOST_PATHS[n % len(HOST_PATHS)], {"Host": f"h{n}.example"}) for n in range(count)]


def language_requests(count: int) -> list[tuple[str, dict]]:
    """Distinct Accept-Language values a browser could send, on pages without ?region=."""
    tags = ("en-US", "ja", "en-GB", "fr-CA", "de", "pt-BR", "ko-KR", "zh-TW")
    return [("/" if n % 2 else "/shows/metallic-rouge",
             {"Accept-Language": f"{tags[n % len(tags)]}, x-{n};q=0.{n % 9 + 1}"})
            for n in range(count)]


def worker_rss_kb(master: int) -> dict[int, int]:
    """RSS of each worker process under granian's main process, in kB."""
    found = {}
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        status = Path(f"/proc/{pid}/status").read_text()
        found[int(pid)] = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
    return found


class Sampler(threading.Thread):
    """The highest RSS of any worker, read every 0.2 s."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.peak, self.running = master, 0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, *worker_rss_kb(self.master).values())
            except (OSError, ValueError, TypeError):
                pass
            time.sleep(0.2)


def flood(port: int, requests: list[tuple[str, dict]], threads: int = 4) -> dict:
    """Send every request on keep-alive connections; count statuses and bytes."""
    counts: dict = {"bytes": 0}
    lock = threading.Lock()
    local = threading.local()

    def send(item):
        path, headers = item
        for attempt in range(3):
            if not hasattr(local, "connection"):
                local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                local.connection.request("GET", path, headers=headers)
                response = local.connection.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException):
                local.connection.close()
                del local.connection
                if attempt == 2:
                    raise
        with lock:
            counts[response.status] = counts.get(response.status, 0) + 1
            counts["bytes"] += len(body)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, requests))
    return counts


def measure(name: str, code: Path, schedules: Path, folder: Path, arguments,
            public_url: bool, languages: bool = True) -> dict:
    port = free_port()
    env = {**os.environ, "CALFEED_SCHEDULES_DIR": str(schedules),
           "CALFEED_STATE_PATH": str(folder / f"state-{port}.sqlite3"), "CALFEED_WORKERS": "1",
           "CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_ACCESS_LOG": "0",
           "CALFEED_RELOAD_INTERVAL": "0", "PYTHONPATH": str(code),
           # The catalogue the target names: without the imported one (8,481 more shows, whose
           # /api/v1/shows alone is 38 MB) this measures what requests add, not what data is.
           "CALFEED_IMPORT": "0"}
    if public_url:
        env["CALFEED_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, str(code / "deploy" / "serve.py")], env=env,
                              cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result: dict = {"name": name}
    try:
        wait_for(f"http://127.0.0.1:{port}/feeds/us/metallic-rouge.ics", server, seconds=300)
        floods = {"variant URLs": [(p, {}) for p in variant_paths(arguments.variants)],
                  "Host values": host_requests(arguments.hosts)}
        if languages:
            floods["Accept-Language values"] = language_requests(arguments.languages)
        warm = [item for requests in floods.values() for item in requests[:24]]
        flood(port, warm + warm)
        time.sleep(1)
        result["start"] = sum(worker_rss_kb(server.pid).values())
        sampler = Sampler(server.pid)
        sampler.start()
        for label, requests in floods.items():
            began = time.monotonic()
            counts = flood(port, requests)
            result[label] = {"rss": sum(worker_rss_kb(server.pid).values()), "counts": counts,
                             "seconds": time.monotonic() - began}
            print(f"{name:28} {label:24} {result[label]['rss'] / 1024:8.1f} MB "
                  f"{result[label]['seconds']:6.1f} s {counts}", file=sys.stderr)
        sampler.running = False
        sampler.join()
        result["peak"] = sampler.peak
    finally:
        server.terminate()
        server.wait(timeout=60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20_000)
    parser.add_argument("--hosts", type=int, default=20_000)
    parser.add_argument("--languages", type=int, default=20_000)
    parser.add_argument("--before", help="a git commit to measure the same way first")
    parser.add_argument("--runs", default="before,now,public",
                        help="which of before (needs --before), now (no PUBLIC_URL) and public "
                             "(PUBLIC_URL set) to run")
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()
    wanted = arguments.runs.split(",")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        schedules = prepare(folder, SHOWS)
        runs = []
        if arguments.before and "before" in wanted:
            before = checkout(arguments.before, folder)
            # Run as the code allows: with PUBLIC_URL if it has the setting, and without the
            # Accept-Language flood if its pages are not cached (that would measure rendering,
            # hours of it, not memory).
            has = (before / "calfeed" / "web").joinpath
            runs.append(measure(f"before ({arguments.before})", before, schedules, folder,
                                arguments, public_url=has("public_url.py").exists(),
                                languages=has("page_cache.py").exists()))
        if "now" in wanted:
            runs.append(measure("now, no PUBLIC_URL", ROOT, schedules, folder, arguments,
                                public_url=False))
        if "public" in wanted:
            runs.append(measure("now, PUBLIC_URL set", ROOT, schedules, folder, arguments,
                                public_url=True))
    report = render(runs, arguments)
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)


def render(runs: list[dict], arguments) -> str:
    labels = ("variant URLs", "Host values", "Accept-Language values")
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{platform.python_implementation()} {platform.python_version()}, Linux "
             f"{platform.release()}; one granian worker, {SHOWS:,} synthetic shows plus "
             f"Metallic Rouge; {arguments.variants:,} variant URLs, then {arguments.hosts:,} "
             f"Host values, then {arguments.languages:,} Accept-Language values.", "",
             "| code | RSS after warm-up | after the variant URLs | after the Host values | "
             "after the Accept-Language values | peak | growth | vs first |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    first = None
    for run in runs:
        growth = max(run[label]["rss"] for label in labels if label in run) - run["start"]
        first = first or growth
        cells = " | ".join(f"{run[label]['rss'] / 1024:.0f} MB" if label in run else "not run"
                           for label in labels)
        lines.append(f"| {run['name']} | {run['start'] / 1024:.0f} MB | {cells} | "
                     f"{run['peak'] / 1024:.0f} MB | +{growth / 1024:.0f} MB | "
                     f"{growth / first:.2f}× |")
    lines += ["", "| code | flood | seconds | statuses | bytes received |",
              "| --- | --- | --- | --- | --- |"]
    for run in runs:
        for label in (label for label in labels if label in run):
            counts = dict(run[label]["counts"])
            received = counts.pop("bytes")
            statuses = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
            lines.append(f"| {run['name']} | {label} | {run[label]['seconds']:.0f} | "
                         f"{statuses} | {received / 1e6:.0f} MB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

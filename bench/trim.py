"""How long giving freed memory back takes (glibc's malloc_trim, web/freed_memory.py), and what
it gives back, in one process serving the imported catalogue.

    .venv/bin/python bench/trim.py [--threads 2] [--requests 600]

The app is made as `make run` makes it (the import on), its own trim off so that this script
times each one: once after the load, then every 0.5 s from a thread of its own while request
threads ask for varied URLs (show pages, show feeds and API documents with made-up reminders,
region feeds, week pages, schedule windows, pages of the show list), then five times at the
end. Printed: each trim's milliseconds (median, p99, largest; the C call alone, without the
wait for the GIL after it) and RSS before and after.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ("us", "jp", "gb", "tw", "hk", "kr", "de", "fr", "ca", "au", "br", "cn")


def rss_mb() -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) // 1024


def varied_paths(client, count: int) -> list[str]:
    first = client.get("/api/v1/shows?limit=200").get_json()["shows"]
    ids = [show["id"] for show in first]
    paths = [f"/api/v1/schedule?region={r}" for r in REGIONS]
    paths += [f"/feeds/{r}.ics?alarm={k}" for k, r in enumerate(REGIONS)]
    paths += [f"/week?region={r}" for r in REGIONS]
    k = 0
    while len(paths) < count:
        show = ids[k % len(ids)]
        paths += [f"/shows/{show}?alarm={k % 60 + 1}", f"/feeds/jp/{show}.ics?alarm={k}",
                  f"/api/v1/shows/{show}?tz=Asia/Tokyo",
                  f"/api/v1/shows?after={show}&limit={k % 150 + 50}"]
        k += 1
    return paths[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--requests", type=int, default=600)
    arguments = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.update(CALFEED_STATE_PATH=f"{folder}/state.sqlite3",
                      CALFEED_CALENDARS_PATH=f"{folder}/calendars.sqlite3",
                      CALFEED_RELOAD_INTERVAL="0", CALFEED_MALLOC_TRIM_SECONDS="0")
    from calfeed import create_app
    from calfeed.web.freed_memory import malloc_trim

    if malloc_trim() is None:
        raise SystemExit("this C library has no malloc_trim: nothing to measure")
    # The same call, through PyDLL, which keeps the GIL: timed through CDLL (as the app calls
    # it, letting other threads run meanwhile) a trim would count the wait for the GIL after.
    call = ctypes.PyDLL(ctypes.util.find_library("c")).malloc_trim
    call.argtypes, call.restype = [ctypes.c_size_t], ctypes.c_int

    def trim() -> int:
        return call(0)
    began = time.perf_counter()
    app = create_app()
    print(f"app made in {time.perf_counter() - began:.1f} s, RSS {rss_mb()} MB")

    durations: list[float] = []

    def timed(label: str | None = None) -> None:
        before = rss_mb()
        start = time.perf_counter()
        trim()
        durations.append(time.perf_counter() - start)
        if label:
            print(f"{label}: trim {durations[-1] * 1000:.2f} ms, RSS {before} -> {rss_mb()} MB")

    timed("after the load")
    paths = varied_paths(app.test_client(), arguments.requests)
    stop = threading.Event()

    def trimmer():
        while not stop.is_set():
            timed()
            time.sleep(0.5)

    def get(path: str) -> int:
        response = app.test_client().get(path)
        response.close()
        return response.status_code

    thread = threading.Thread(target=trimmer)
    thread.start()
    began = time.perf_counter()
    with ThreadPoolExecutor(arguments.threads) as pool:
        statuses = list(pool.map(get, paths))
    stop.set()
    thread.join()
    print(f"{len(paths)} requests on {arguments.threads} threads in "
          f"{time.perf_counter() - began:.1f} s, statuses {sorted(set(statuses))}")
    for n in range(5):
        timed(f"at the end, #{n + 1}")
    ms = sorted(d * 1000 for d in durations)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(f"{len(ms)} trims: median {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, "
          f"largest {ms[-1]:.2f} ms")


if __name__ == "__main__":
    main()

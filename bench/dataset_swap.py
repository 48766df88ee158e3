"""A dataset update under `make run`'s server, on the whole catalogue (real bangumi-data versions).

    .venv/bin/python bench/dataset_swap.py [--starts 3] [--seconds 20]

Measured in one run, so that figures are compared side by side on a noisy machine:

- start to first answer (launch of deploy/serve.py, one worker, on a state database that knows
  the catalogue: a restart) to Metallic Rouge's Japanese feed, alternately: the pinned package
  (0.3.208 imported whole, ids romanised by pykakasi, as before datasets were installed) and
  the same version installed in CALFEED_DATASET_DIR (what was derived kept beside it);
- two workers serving 0.3.205 under a steady load (two client threads: feeds, show documents,
  pages), then `calfeed dataset update --from` 0.3.208's archive: the time from the command's
  end (the pointer switched) to every worker answering with 0.3.208; each request's time at
  rest, while the update command ran (its own process: download, import, what it derives) and
  from the switch until `--seconds` later (p50, p99, max, failures); the workers' RSS
  sampled every 100 ms, steady (the last second before the update) against the peak meanwhile.

It needs the npm registry for the two archives (then kept in --cache).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import free_port, get  # noqa: E402
from calfeed.source import registry  # noqa: E402
from calfeed.source.archive import check_integrity, unpack  # noqa: E402

FIRST = ("/feeds/jp/metallic-rouge.ics", b"DTSTART:20240110T155500Z")
LOAD = ("/feeds/jp/metallic-rouge.ics", "/api/v1/shows/metallic-rouge", "/feeds/us.ics",
        "/shows/metallic-rouge", "/week?region=jp", "/healthz")


def archive(version: str, cache: Path) -> Path:
    path = cache / f"bangumi-data-{version}.tgz"
    if not path.exists():
        found = registry.release(version)
        data = registry.archive(found)
        check_integrity(data, found.integrity, version)
        path.write_bytes(data)
    return path


def package(version: str, cache: Path) -> Path:
    folder = cache / f"package-{version}"
    if not folder.exists():
        unpack(archive(version, cache).read_bytes(), folder, version)
    return folder / "package"


def server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "CALFEED_WORKERS": str(workers), "CALFEED_ACCESS_LOG": "0",
           "CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_IMPORT": "1",
           "CALFEED_DATASET_UPDATE_HOURS": "0", **env}
    process = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve.py")], env=env,
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, port


def first_answer(process: subprocess.Popen, port: int, launched: float) -> float:
    while time.perf_counter() - launched < 300:
        if process.poll() is not None:
            raise RuntimeError("server exited")
        try:
            status, body = get(port, FIRST[0])
            if status == 200 and FIRST[1] in body:
                return time.perf_counter() - launched
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("no first answer in 300 s")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def starts(env_of: dict[str, dict[str, str]], rounds: int) -> dict[str, list[float]]:
    """Seconds to the first answer of each way, alternately, each on its own state database
    made by a first start that is not counted."""
    took: dict[str, list[float]] = {name: [] for name in env_of}
    for env in env_of.values():
        process, port = server(env, 1)
        first_answer(process, port, time.perf_counter())
        stop(process)
    for _ in range(rounds):
        for name, env in env_of.items():
            launched = time.perf_counter()
            process, port = server(env, 1)
            took[name].append(first_answer(process, port, launched))
            stop(process)
    return took


def worker_rss(process: subprocess.Popen) -> list[float]:
    pids = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    found = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            found.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        except (OSError, AttributeError):
            pass
    return found


def spread(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "p50": round(statistics.median(values), 1),
            "p99": round(values[min(len(values) - 1, int(len(values) * 0.99))], 1),
            "max": round(values[-1], 1)}


def swap(cache: Path, work: Path, seconds: float) -> dict:
    env = {"CALFEED_IMPORT_PATH": str(package("0.3.205", cache)),
           "CALFEED_DATASET_DIR": str(work / "swap-sets"),
           "CALFEED_STATE_PATH": str(work / "swap.sqlite3"), "CALFEED_RELOAD_INTERVAL": "2"}
    process, port = server(env, 2)
    first_answer(process, port, time.perf_counter())
    for path in LOAD:       # both workers warm: each path a few times
        for _ in range(4):
            get(port, path)
    timings: list[tuple[float, float, int, str]] = []     # (when, ms, status, path)
    rss: list[tuple[float, list[float]]] = []
    done = threading.Event()

    def client(offset: int):
        n = offset
        while not done.is_set():
            path = LOAD[n % len(LOAD)]
            n += 1
            started = time.perf_counter()
            try:
                status = get(port, path)[0]
            except OSError:
                status = 0
            timings.append((started, (time.perf_counter() - started) * 1000, status, path))

    def sample():
        while not done.is_set():
            rss.append((time.perf_counter(), worker_rss(process)))
            time.sleep(0.1)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    threads.append(threading.Thread(target=sample))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    at_rest_until = time.perf_counter()
    update = subprocess.run([sys.executable, "-m", "calfeed.cli", "dataset", "update", "--from",
                             str(archive("0.3.208", cache))], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True)
    switched = time.perf_counter()
    if update.returncode != 0:
        raise RuntimeError(update.stderr)

    def versions() -> set[str]:
        return {json.loads(get(port, "/healthz")[1])["dataset"]["version"] for _ in range(20)}
    while versions() != {"0.3.208"}:
        time.sleep(0.05)
    everywhere = time.perf_counter() - switched
    time.sleep(max(0.0, seconds - (time.perf_counter() - switched)))
    done.set()
    for thread in threads:
        thread.join()
    stop(process)
    rest = [ms for when, ms, _, _ in timings if when < at_rest_until]
    during = [ms for when, ms, _, _ in timings if switched <= when < switched + seconds]
    command = [ms for when, ms, _, _ in timings if at_rest_until <= when < switched]
    steady = [max(r) for when, r in rss if at_rest_until - 1 <= when < at_rest_until and r]
    peak = [max(r) for when, r in rss if when >= at_rest_until and r]
    return {"every_worker_seconds": round(everywhere, 1),
            "update_command_seconds": round(switched - at_rest_until, 1),
            "at_rest_ms": spread(rest), "during_swap_ms": spread(during),
            "while_the_update_command_ran_ms": spread(command),
            "failures": sorted({f"{status} {path}" for _, _, status, path in timings
                                if status != 200}),
            "rss_steady_mb": round(max(steady), 1), "rss_peak_mb": round(max(peak), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=3, help="0: the swap alone")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "calfeed-bench"))
    options = parser.parse_args()
    cache = Path(options.cache)
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="calfeed-swap-"))
    try:
        sets = work / "sets"
        installed = subprocess.run(
            [sys.executable, "-m", "calfeed.cli", "dataset", "update", "--from",
             str(archive("0.3.208", cache))], cwd=ROOT, capture_output=True, text=True,
            env={**os.environ, "CALFEED_DATASET_DIR": str(sets),
                 "CALFEED_IMPORT_PATH": str(package("0.3.205", cache))})
        if installed.returncode != 0:
            raise RuntimeError(installed.stderr)
        took = {} if not options.starts else starts({
            "pinned package (imported whole)": {
                "CALFEED_IMPORT_PATH": str(package("0.3.208", cache)),
                "CALFEED_DATASET_DIR": str(work / "none"),
                "CALFEED_STATE_PATH": str(work / "pinned.sqlite3")},
            "installed (derived kept beside)": {
                "CALFEED_IMPORT_PATH": str(package("0.3.205", cache)),
                "CALFEED_DATASET_DIR": str(sets),
                "CALFEED_STATE_PATH": str(work / "installed.sqlite3")}}, options.starts)
        result = {"start_to_first_answer_s": {name: [round(t, 2) for t in times]
                                              for name, times in took.items()},
                  "swap": swap(cache, work, options.seconds)}
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

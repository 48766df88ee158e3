"""The first search, week page and calendar form after a start, before and now side by side.

    .venv/bin/python bench/first_requests.py --before REF [--ports 8150,8151] [--rounds 1]

For the code of REF (a `git archive` of it) and for the working tree, alternately: the
production server (deploy/serve.py, granian, one worker, access log off) with the pinned
imported catalogue. Each start's first request is one of the five pages (a search for
"frieren", /week and /calendars/new in the US, the form a fan in Tokyo opens, in Japan in
Japanese: its on-air list is the longest, and a search for "フリーレン"), then the others:

- starts 1 and 2: a fresh state database each (no title readings kept yet: the first start of
  a machine, whose search index is built beside the first requests), opening on the search and
  on the Japanese form;
- starts 3 to 6: the second database again (a restart, a deploy), each opening on another page
  (the sixth on the Japanese search).

Before the starts, each code's `calfeed dataset prepare` (what `make run` does before serving:
the pinned package's titles' readings kept beside it) is run once from scratch and timed;
code without the command is started without it, as `make run` started it.

Measured: seconds from launch to the first answer of /healthz (polled every 50 ms) and each
page's time, as its start's first request or after another. Printed as a Markdown table, with
now/before ratios: the machine is shared and noisy, so only ratios in one run compare.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.before import checkout  # noqa: E402
from bench.loopback import get  # noqa: E402

PAGES = {"search": "/search?q=frieren&region=us", "week": "/week?region=us",
         "form": "/calendars/new?region=us", "form jp": "/calendars/new?region=jp&lang=ja",
         # A query in Japanese is read by pykakasi, whose dictionaries take seconds to load.
         "search ja": "/search?q=%E3%83%95%E3%83%AA%E3%83%BC%E3%83%AC%E3%83%B3&region=jp"}
# The same pinned dataset for both (an archive of the code holds no node_modules).
PINNED = ROOT / "data/bangumi/node_modules/bangumi-data"
# (a fresh state database?, the order of the pages)
STARTS = ((True, ("search", "week", "form", "form jp", "search ja")),
          (True, ("form jp", "search", "week", "form", "search ja")),
          (False, ("week", "form", "search", "form jp", "search ja")),
          (False, ("form", "search", "week", "form jp", "search ja")),
          (False, ("form jp", "search", "week", "form", "search ja")),
          (False, ("search ja", "search", "week", "form", "form jp")))


def prepare(code: Path) -> float | None:
    """Seconds `calfeed dataset prepare` takes from scratch with `code`; None without it."""
    kept = PINNED.with_name(f"{PINNED.name}.derived.json")
    kept.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(code), "CALFEED_IMPORT_PATH": str(PINNED)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from calfeed.cli import cli; cli()",
                           "dataset", "prepare"], env=env, cwd=code, capture_output=True)
    return time.perf_counter() - started if done.returncode == 0 else None


def one_start(code: Path, state: Path, port: int, order: tuple[str, ...]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(code), "CALFEED_STATE_PATH": str(state),
           "CALFEED_CALENDARS_PATH": str(state.with_suffix(".calendars")),
           "CALFEED_WORKERS": "1", "CALFEED_ACCESS_LOG": "0", "CALFEED_IMPORT": "1",
           "CALFEED_IMPORT_PATH": str(PINNED),
           "CALFEED_BIND": f"127.0.0.1:{port}"}
    launched = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(code / "deploy" / "serve.py")], env=env,
                               cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        result = {"ready": _ready(process, port, launched)}
        for name in order:
            started = time.perf_counter()
            status, _body = get(port, PAGES[name])
            if status != 200:
                raise RuntimeError(f"{PAGES[name]} answered {status}")
            result[name if name == order[0] else f"{name} after"] = \
                time.perf_counter() - started
        return result
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            process.wait(timeout=60)


def _ready(process, port: int, launched: float) -> float:
    while time.perf_counter() < launched + 600:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode()}")
        try:
            if get(port, "/healthz")[0] == 200:
                return time.perf_counter() - launched
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.05)
    raise RuntimeError("no answer in 600 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the commit to compare with")
    parser.add_argument("--ports", default="8150,8151")
    arguments = parser.parse_args()
    ports = [int(p) for p in arguments.ports.split(",")]
    with tempfile.TemporaryDirectory(prefix="calfeed-first-") as temporary:
        folder = Path(temporary)
        codes = {"before": checkout(arguments.before, folder), "now": ROOT}
        prepared = {label: prepare(code) for label, code in codes.items()}
        rows = []
        for number, (fresh, order) in enumerate(STARTS, start=1):
            measured = {}
            for (label, code), port in zip(codes.items(), ports[:len(codes)], strict=True):
                state = folder / f"{label}-state" / "state.sqlite3"
                if fresh:
                    shutil.rmtree(state.parent, ignore_errors=True)
                state.parent.mkdir(exist_ok=True)
                measured[label] = one_start(code, state, port, order)
            rows.append((number, fresh, order, measured))
            print(number, order, measured, file=sys.stderr)
        print("prepare (once per package, before the first start): " + ", ".join(
            f"{label} {'-' if took is None else f'{took:.2f} s'}"
            for label, took in prepared.items()))
        print("| start | page | before (s) | now (s) | now/before |")
        print("| --- | --- | --- | --- | --- |")
        for number, fresh, order, measured in rows:
            kind = "first, fresh state" if fresh else "restart"
            for name in ("ready", order[0], *(f"{n} after" for n in order[1:])):
                before, now = measured["before"][name], measured["now"][name]
                print(f"| {number} ({kind}) | {name} | {before:.2f} | {now:.2f} | "
                      f"{now / before:.2f} |")
        shutil.rmtree(folder / "before", ignore_errors=True)


if __name__ == "__main__":
    main()

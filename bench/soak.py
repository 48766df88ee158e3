"""Soak: the production server under wrk for a bounded time, then as long again while the
schedules are rewritten every second, alternating valid and invalid.

    .venv/bin/python bench/soak.py [--seconds 60] [--markdown out.md]

Every response is checked inside wrk (a Lua response hook): no 5xx, no empty body, and no
mixture of old and new data: each data version writes a marker ("Soak v17") into every
title, so a response that mixed two versions would show two markers. Worker memory (RSS of
granian's worker processes) is read after a warm-up of 10 s under load with rewrites (so every
worker has served, reloaded good data and refused bad data) and 10 s more without, after the
steady phase, halfway through the rewrites and at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import free_port, wait_for  # noqa: E402

FEED = "/feeds/jp/soak.ics"
CHECKS = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) total, s5xx, empty, mixed, other = 0, 0, 0, 0, 0 end
function response(status, headers, body)
  total = total + 1
  if status >= 500 then s5xx = s5xx + 1 elseif status ~= 200 then other = other + 1 end
  if status == 200 and (body == nil or #body == 0) then empty = empty + 1 end
  local seen = nil
  for version in string.gmatch(body or "", "Soak v(%d+)") do
    if seen == nil then seen = version elseif seen ~= version then mixed = mixed + 1; break end
  end
end
function done(summary, latency, requests)
  local sums = {total = 0, s5xx = 0, empty = 0, mixed = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do sums[name] = sums[name] + thread:get(name) end
  end
  io.write(string.format("SOAK total=%d s5xx=%d empty=%d mixed=%d other=%d\n",
    sums.total, sums.s5xx, sums.empty, sums.mixed, sums.other))
end
"""


def schedule(version: int) -> str:
    titles = "\n".join(f"    {n}: {{en: Episode {n} v{version}}}" for n in range(1, 14))
    return f"""title: {{en: Soak v{version}, ja: ソーク v{version}}}
episodes:
  count: 13
  titles:
{titles}
releases:
  - id: tv
    name: Soak TV
    kind: broadcast
    regions: [JP]
    timezone: Asia/Tokyo
    start: 2024-01-10 24:{version % 60:02d}
  - id: stream
    name: Soak Stream
    kind: streaming
    regions: {{include: [world], exclude: [asia]}}
    follows: tv
    offset: 2h30m
"""


class rewriting:
    """While active, rewrite the schedule every second, alternating valid and invalid."""

    def __init__(self, schedules: Path, writes: dict):
        self.schedules, self.writes = schedules, writes
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def _run(self):
        while not self.stop.wait(1):
            self.writes["version"] += 1
            version = self.writes["version"]
            text = schedule(version)
            if version % 2:
                self.writes["valid"] += 1
            else:
                text = text.replace("count: 13", "count: thirteen")
                self.writes["invalid"] += 1
            (self.schedules / "soak.yaml").write_text(text)


def worker_rss_kb(master: int) -> dict[int, int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = {}
    for pid in map(int, children):
        match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        sizes[pid] = int(match.group(1))
    return sizes


def wrk(url: str, seconds: int, script: Path) -> dict:
    done = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", str(script), url],
                          capture_output=True, text=True, check=True).stdout
    counts = dict(re.findall(r"(\w+)=(\d+)", done.split("SOAK", 1)[1]))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", done).group(1)),
            **{name: int(value) for name, value in counts.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        schedules = folder / "schedules"
        schedules.mkdir()
        (schedules / "soak.yaml").write_text(schedule(1))
        script = folder / "checks.lua"
        script.write_text(CHECKS)
        port = free_port()
        env = {**os.environ, "CALFEED_SCHEDULES_DIR": str(schedules), "CALFEED_WORKERS": "2",
               "CALFEED_STATE_PATH": str(folder / "state.sqlite3"), "CALFEED_ACCESS_LOG": "0",
               "CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_RELOAD_INTERVAL": "1"}
        server = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve.py")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}{FEED}"
        try:
            wait_for(url, server)
            memory: dict = {}
            writes = {"valid": 1, "invalid": 0, "version": 1}
            with rewriting(schedules, writes):
                wrk(url, 10, script)
            wrk(url, 10, script)       # and settle, so every worker's caches hold the last data
            memory["warm"] = worker_rss_kb(server.pid)
            steady = wrk(url, arguments.seconds, script)
            memory["steady"] = worker_rss_kb(server.pid)
            counted = dict(writes)
            halfway = threading.Timer(arguments.seconds / 2, lambda: memory.update(
                halfway=worker_rss_kb(server.pid)))
            with rewriting(schedules, writes):
                halfway.start()
                churn = wrk(url, arguments.seconds, script)
            memory["end"] = worker_rss_kb(server.pid)
            versions = {kind: writes[kind] - counted[kind] for kind in ("valid", "invalid")}
        finally:
            server.terminate()
            server.wait(timeout=60)
    report = render(steady, churn, memory, versions, arguments.seconds)
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)


def render(steady: dict, churn: dict, memory: dict, versions: dict, seconds: int) -> str:
    lines = ["| phase | requests | req/s | 5xx | empty bodies | mixed versions | other non-200 |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, run in ((f"{seconds} s steady", steady),
                      (f"{seconds} s, schedules rewritten every second "
                       f"({versions['valid']} valid, {versions['invalid']} invalid writes)", churn)):
        lines.append(f"| {name} | {run['total']} | {run['rps']:.0f} | {run['s5xx']} | "
                     f"{run['empty']} | {run['mixed']} | {run['other']} |")
    lines += ["", "| worker | RSS after warm-up | after the steady phase | halfway through "
              "the rewrites | at the end | growth after warm-up |",
              "| --- | --- | --- | --- | --- | --- |"]
    for pid, warm in sorted(memory.get("warm", {}).items()):
        end = memory["end"].get(pid)
        growth = f"{(end - warm) / warm * 100:+.1f}%" if end else "worker replaced"
        samples = " | ".join(f"{memory[k].get(pid, 0) / 1024:.1f} MB"
                             for k in ("steady", "halfway", "end"))
        lines.append(f"| {pid} | {warm / 1024:.1f} MB | {samples} | {growth} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

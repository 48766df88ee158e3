"""Soak: the production server under wrk for a bounded time, then as long again while the
schedules are rewritten every second, alternating valid and invalid, then under faults.

    .venv/bin/python bench/soak.py [--seconds 60] [--markdown out.md]

Every response is checked inside wrk (a Lua response hook): no 5xx, no empty body, no
calendar without its 13 complete events, no SEQUENCE lower than one the same wrk thread was
already served, and no mixture of old and new data: each data version writes a marker
("Soak v17") into every title, so a response that mixed two versions would show two markers.
Worker memory (RSS of granian's worker processes) is read after a warm-up of 10 s under load
with rewrites (so every worker has served, reloaded good data and refused bad data) and 10 s
more without, after the steady phase, halfway through the rewrites and at the end.

The faults phase runs under the same load: the state database
overwritten with random bytes, then a new version; a write lock held on it for 8 s while a new
version is written; the folder emptied for 5 s (a non-atomic deploy); a new version written
slowly, its first part (which validates on its own) 0.5 s before the rest; the database
corrupted again and a worker killed. /healthz is sampled throughout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import fetch, free_port, wait_for  # noqa: E402

FEED = "/feeds/jp/soak.ics"
CHECKS = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  total, s5xx, empty, mixed, other, incomplete, lower = 0, 0, 0, 0, 0, 0, 0
  highest = {}
end
function response(status, headers, body)
  total = total + 1
  if status >= 500 then s5xx = s5xx + 1 elseif status ~= 200 then other = other + 1 end
  if status ~= 200 then return end
  if body == nil or #body == 0 then empty = empty + 1; return end
  local seen = nil
  for version in string.gmatch(body, "Soak v(%d+)") do
    if seen == nil then seen = version elseif seen ~= version then mixed = mixed + 1; break end
  end
  local events = 0
  for event in string.gmatch(body, "BEGIN:VEVENT(.-)END:VEVENT") do
    events = events + 1
    if not string.find(event, "SUMMARY:Soak v%d+ #%d+: Episode") then
      incomplete = incomplete + 1
    end
    local uid = string.match(event, "UID:([^\r]+)")
    local sequence = tonumber(string.match(event, "SEQUENCE:(%d+)"))
    if uid and sequence then
      if highest[uid] and sequence < highest[uid] then lower = lower + 1 end
      if not highest[uid] or sequence > highest[uid] then highest[uid] = sequence end
    end
  end
  if events ~= 13 then incomplete = incomplete + 1 end
end
function done(summary, latency, requests)
  local sums = {total = 0, s5xx = 0, empty = 0, mixed = 0, other = 0, incomplete = 0,
                lower = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do sums[name] = sums[name] + thread:get(name) end
  end
  io.write(string.format(
    "SOAK total=%d s5xx=%d empty=%d mixed=%d other=%d incomplete=%d lower=%d errors=%d\n",
    sums.total, sums.s5xx, sums.empty, sums.mixed, sums.other, sums.incomplete, sums.lower,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
"""


def schedule(version: int) -> str:
    # Episode titles last: a file cut after the first of them still validates (the
    # half-written fault), and its events lack their titles.
    titles = "\n".join(f"    {n}: {{en: Episode {n} v{version}}}" for n in range(1, 14))
    return f"""title: {{en: Soak v{version}, ja: ソーク v{version}}}
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
episodes:
  count: 13
  titles:
{titles}
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


class faulting:
    """While active, the faults one after another; `log` says what happened when,
    and the /healthz statuses seen during each fault."""

    def __init__(self, folder: Path, base: str, master: int, writes: dict):
        self.folder, self.base, self.master, self.writes = folder, base, master, writes
        self.schedules, self.database = folder / "schedules", folder / "state.sqlite3"
        self.log: list[tuple[str, set]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join()

    def _new_version(self, slowly: bool = False) -> None:
        self.writes["version"] += 1
        self.writes["valid"] += 1
        text = schedule(self.writes["version"])
        path = self.schedules / "soak.yaml"
        if not slowly:
            path.write_text(text)
            return
        cut = text.index("\n", text.index("    1: {en: Episode 1")) + 1
        with path.open("w") as handle:      # the first part validates on its own
            handle.write(text[:cut])
            handle.flush()
            time.sleep(0.5)
            handle.write(text[cut:])

    def _corrupt(self) -> None:
        self.database.write_bytes(os.urandom(64 * 1024))

    def _kill_a_worker(self) -> None:
        children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGKILL)

    def _during(self, name: str, seconds: float) -> None:
        statuses: set = set()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                status, _, body = fetch(self.base + "/healthz")
                statuses.add(json.loads(body)["status"] if status == 200 else status)
            except (OSError, ValueError):
                statuses.add("no answer")
            time.sleep(0.2)
        self.log.append((name, statuses))

    def _run(self) -> None:
        self._corrupt()
        self._new_version()
        self._during("state database overwritten with random bytes, then a new version", 5)
        locker = sqlite3.connect(self.database, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        self._new_version()
        self._during("write lock held on the state database while a new version is written", 8)
        locker.execute("ROLLBACK")
        locker.close()
        self._during("lock released", 5)
        aside = self.folder / "soak.yaml.away"
        (self.schedules / "soak.yaml").rename(aside)
        self._during("folder emptied (a non-atomic deploy)", 5)
        aside.rename(self.schedules / "soak.yaml")
        self._during("files back", 4)
        self._new_version(slowly=True)
        self._during("new version written slowly; its first part validates alone", 5)
        self._corrupt()
        self._kill_a_worker()
        self._during("state database corrupted again and a worker killed", 8)


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
            "output": done,
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
            (schedules / "soak.yaml").write_text(schedule(writes["version"] + 1))
            writes["version"] += 1
            wrk(url, 5, script)        # the last good data is valid before the faults begin
            faults = faulting(folder, f"http://127.0.0.1:{port}", server.pid, writes)
            with faults:
                faulted = wrk(url, 45, script)
            final = wait_for(url, server).decode()
            faulted["last_version_served"] = f"v{writes['version']}" in final
            faulted["aside"] = len(list(folder.glob("state.sqlite3.corrupt-*")))
        finally:
            server.terminate()
            server.wait(timeout=60)
    report = render(steady, churn, memory, versions, arguments.seconds)
    report += render_faults(faulted, faults.log)
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


def render_faults(run: dict, log: list) -> str:
    lines = ["", "| phase | requests | 5xx | empty bodies | incomplete calendars | SEQUENCE "
             "decreases | mixed versions | connection errors |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |",
             f"| 45 s of faults | {run['total']} | {run['s5xx']} | {run['empty']} | "
             f"{run['incomplete']} | {run['lower']} | {run['mixed']} | {run['errors']} |",
             "", "| fault | /healthz said |", "| --- | --- |"]
    lines += [f"| {name} | {', '.join(sorted(map(str, seen)))} |" for name, seen in log]
    lines += ["", f"Corrupt databases moved aside: {run['aside']}; the newest version served at "
                  f"the end: {'yes' if run['last_version_served'] else 'NO'}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

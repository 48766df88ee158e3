"""A flood of calendar creates beside personal-feed reads, on two codes side by side.

    .venv/bin/python bench/calendar_flood.py [--before main] [--seconds 10] [--repeat 3]
                                             [--p99-bound 250] [--markdown out.md]

For each code (the `--before` commit, unpacked by bench/before.py, and this tree), two
production servers (deploy/serve.py: granian, 2 workers each, access log off) share one
calendars file on 60 synthetic shows, as two instances of a deployment do: A allows creates
(CALENDAR_CREATIONS_PER_HOUR 10^9), B refuses them all (0). wrk reads a personal feed of 30
shows from A (16 connections) in three ways: alone; beside a flood of allowed creates on A;
beside a flood of refused creates on B (50 connections each, POST /calendars with the form's
CSRF cookie and token, as a browser sends it). Rounds take every code and case in turn; the
table gives the median round's reads (req/s, p99) and what the flood got, by status. With
--p99-bound MS the run fails (exit 1) if this tree's reads, in the median round of any case,
have a p99 over MS milliseconds: reads beside writes must stay fast.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.before import checkout  # noqa: E402
from bench.loopback import fetch, free_port, wait_for  # noqa: E402
from bench.serving import wrk  # noqa: E402

FLOOD_SCRIPT = """
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["Origin"] = "{origin}"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {{}} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {{}}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  io.write("STATUS")
  for status, n in pairs(total) do io.write(" " .. status .. "=" .. n) end
  io.write("\\n")
end
"""
CASES = ("reads alone", "beside allowed creates", "beside refused creates (other instance)")


def start(code: Path, work: Path, port: int, per_hour: int) -> subprocess.Popen:
    env = {**os.environ, "CALFEED_SCHEDULES_DIR": str(work / "schedules"),
           "CALFEED_STATE_PATH": str(work / f"state-{port}.sqlite3"),
           "CALFEED_CALENDARS_PATH": str(work / "calendars.sqlite3"),
           "CALFEED_CALENDAR_CREATIONS_PER_HOUR": str(per_hour),
           "CALFEED_WORKERS": "2", "CALFEED_BIND": f"127.0.0.1:{port}",
           "CALFEED_ACCESS_LOG": "0", "CALFEED_RELOAD_INTERVAL": "0", "CALFEED_IMPORT": "0",
           "PYTHONPATH": str(code)}
    return subprocess.Popen([sys.executable, str(code / "deploy" / "serve.py")], env=env,
                            cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def form_of(base: str) -> tuple[str, str, list[str]]:
    """(cookie, csrf token, show ids) as the new-calendar form gives them to a browser: code
    of before gave a token and its cookie; since, forms are judged by their Origin alone and
    the form lists what is on air, so the region's shows come from the API."""
    _, headers, page = fetch(f"{base}/calendars/new?region=jp")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.decode())
    shows = re.findall(r'name="show" value="([^"]+)"', page.decode())
    if len(set(shows)) < 30:
        shows = json.loads(fetch(f"{base}/api/v1/regions/jp")[2])["shows"]
    return headers.get("Set-Cookie", "").split(";")[0], token.group(1) if token else "", \
        sorted(set(shows))


def personal_feed(base: str, cookie: str, token: str, shows: list[str]) -> str:
    body = urllib.parse.urlencode({"region": "jp", "show": shows[:30], "csrf_token": token},
                                  doseq=True).encode()
    request = urllib.request.Request(f"{base}/calendars", data=body,
                                     headers={"Cookie": cookie, "Origin": base})
    with urllib.request.urlopen(request, timeout=30) as answer:
        page = answer.read().decode()
    return urllib.parse.urlsplit(
        re.search(r'(?:value|data-calendar-feed)="(http://[^"]+/feeds/my/[^"]+\.ics)"',
                  page).group(1)).path


def flood(base: str, cookie: str, token: str, show: str, seconds: int,
          script: Path) -> subprocess.Popen:
    body = urllib.parse.urlencode({"region": "jp", "show": show, "csrf_token": token})
    script.write_text(FLOOD_SCRIPT.format(body=body, cookie=cookie, origin=base))
    return subprocess.Popen(["wrk", "-t1", "-c50", f"-d{seconds}s", "-s", str(script),
                             f"{base}/calendars"], stdout=subprocess.PIPE, text=True)


def statuses(output: str) -> str:
    found = re.search(r"STATUS(.*)", output)
    pairs = sorted(p.split("=") for p in found.group(1).split()) if found else []
    return ", ".join(f"{int(n):,} × {status}" for status, n in pairs) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--p99-bound", type=float, help="milliseconds: fail if over")
    arguments = parser.parse_args()
    shutil.which("wrk") or sys.exit("wrk is needed: apt-get install wrk")
    from calfeed.schedule.synthetic import write_synthetic

    folder = Path(tempfile.mkdtemp(prefix="calfeed-flood-"))
    codes = {f"before ({arguments.before})": checkout(arguments.before, folder), "now": ROOT}
    servers, setups = [], {}
    try:
        for name, code in codes.items():
            work = folder / re.sub(r"\W+", "-", name)
            write_synthetic(60, work / "schedules")
            ports = free_port(), free_port()
            servers += [start(code, work, ports[0], 10 ** 9), start(code, work, ports[1], 0)]
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            for base, server in zip(bases, servers[-2:], strict=True):
                wait_for(f"{base}/calendars/new?region=jp", server, seconds=300)
            cookie, token, shows = form_of(bases[0])
            feed = bases[0] + personal_feed(bases[0], cookie, token, shows)
            setups[name] = (bases, cookie, token, shows[0], feed)
        rounds = []
        for _ in range(arguments.repeat):
            found = {}
            for name, (bases, cookie, token, show, feed) in setups.items():
                for case in CASES:
                    flooder = None
                    if case != CASES[0]:
                        target = bases[0] if case == CASES[1] else bases[1]
                        flooder = flood(target, cookie, token, show, arguments.seconds,
                                        folder / "flood.lua")
                    reads = wrk(feed, arguments.seconds, 16, {})
                    reads["flood"] = statuses(flooder.communicate()[0]) if flooder else "–"
                    found[name, case] = reads
            rounds.append(found)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; reads: wrk -t2 -c16 -d{arguments.seconds}s of a "
             f"30-show personal feed; floods: wrk -t1 -c50 of POST /calendars; median of "
             f"{arguments.repeat} rounds (by read req/s).", "",
             "| code | case | reads req/s | reads p99 | reads non-2xx | the flood got |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name in setups:
        for case in CASES:
            runs = sorted((r[name, case] for r in rounds), key=lambda r: r["rps"])
            middle = runs[len(runs) // 2]
            lines.append(f"| {name} | {case} | {statistics.median(r['rps'] for r in runs):.0f} "
                         f"| {middle['p99']} | {middle['errors']} | {middle['flood']} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)
    if arguments.p99_bound is not None:
        medians = {case: sorted((r["now", case] for r in rounds),
                                key=lambda r: r["rps"])[len(rounds) // 2]["p99"]
                   for case in CASES}
        over = [(case, p99) for case, p99 in medians.items()
                if milliseconds(p99) > arguments.p99_bound]
        print(f"p99 bound {arguments.p99_bound:g} ms: " + (f"exceeded {over}" if over else "met"))
        sys.exit(1 if over else 0)


def milliseconds(latency: str) -> float:
    """wrk's latency ('60.95ms', '1.28s', '850.00us') in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", latency).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


if __name__ == "__main__":
    main()

"""Serving benchmark: nginx on a static export, the app under its production server, and the app
behind the shipped nginx cache, each driven by wrk on loopback for a bounded time.

    .venv/bin/python bench/serving.py [--seconds 10] [--shows 1000] [--markdown out.md]

The servers and wrk share two cores and single runs vary by ten percent and more, drifting
over minutes. So each scenario runs in rounds, every server once per round, one after the
other; a ratio to nginx static is taken within each round, and the table shows the median run
and the median ratio of three rounds. Prints requests per second, p50 and
p99 latency and the ratio to nginx static for: the
Metallic Rouge US feed, the US region feed of 1,000 synthetic shows (trimmed by the size
budget), a 304 revalidation, and the feed with alarm and lang set.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import fetch, free_port, nginx, wait_for  # noqa: E402

SHOW_FEED = "/feeds/us/metallic-rouge.ics"
SCENARIOS = [  # (name, path, revalidate)
    ("Metallic Rouge US feed", SHOW_FEED, False),
    ("US region feed, 1,000 synthetic shows", "/feeds/us.ics", False),
    ("304 revalidation of the show feed", SHOW_FEED, True),
    ("show feed with alarm=15&lang=ja", SHOW_FEED + "?alarm=15&lang=ja", False),
]


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rate, "p50": _latency(output, "50%"), "p99": _latency(output, "99%"),
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "errors": int(non_2xx.group(1)) if non_2xx else 0}


def _latency(output: str, percentile: str) -> str:
    return re.search(rf"{percentile}\s+([\d.]+\w+)", output).group(1)


def prepare(folder: Path, shows: int) -> Path:
    schedules = folder / "schedules"
    schedules.mkdir()
    shutil.copy(ROOT / "schedules" / "metallic-rouge.yaml", schedules)
    calfeed = [sys.executable, "-m", "calfeed.cli"]
    subprocess.run([*calfeed, "synth", str(shows), str(schedules)], check=True,
                   capture_output=True)
    return schedules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--shows", type=int, default=1000)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    nginx_binary = shutil.which("nginx") or sys.exit("nginx is needed: apt-get install nginx")
    shutil.which("wrk") or sys.exit("wrk is needed: apt-get install wrk")

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        schedules = prepare(folder, arguments.shows)
        app_port, static_port, cache_port = free_port(), free_port(), free_port()
        env = {**os.environ, "CALFEED_SCHEDULES_DIR": str(schedules),
               "CALFEED_STATE_PATH": str(folder / "state.sqlite3"), "CALFEED_WORKERS": "2",
               "CALFEED_BIND": f"127.0.0.1:{app_port}", "CALFEED_TRUSTED_PROXIES": "1",
               # As deploy/nginx/proxy-cache.conf says to run the app behind it.
               "CALFEED_PUBLIC_URL": f"http://127.0.0.1:{cache_port}",
               "CALFEED_ACCESS_LOG": "0"}
        subprocess.run([sys.executable, "-m", "calfeed.cli", "export", str(folder / "site"),
                        "--regions", "us", "--base-url", f"http://127.0.0.1:{static_port}"],
                       env=env, check=True, capture_output=True)
        # The access log of a benchmark run would measure the disk, not the server.
        server = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve.py")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{app_port}{SHOW_FEED}", server, seconds=300)
            with nginx(nginx_binary, "static-export.conf", folder / "static", listen=static_port,
                       root=folder / "site", access_log=False) as static, \
                    nginx(nginx_binary, "proxy-cache.conf", folder / "cache", listen=cache_port,
                          upstream=app_port, access_log=False) as cached:
                targets = {"nginx static (export)": static,
                           "app (granian, 2 workers)": f"http://127.0.0.1:{app_port}",
                           "app behind nginx cache": cached}
                results = run(targets, arguments)
        finally:
            server.terminate()
            server.wait(timeout=60)
    report = render(results, arguments)
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)


def run(targets: dict[str, str], arguments) -> list[dict]:
    results = []
    for scenario, path, revalidate in SCENARIOS:
        # A static file has no query variants: the variant is compared with the plain feed.
        active = {t: b for t, b in targets.items() if "?" not in path or "static" not in t}
        extra, size = {}, {}
        for target, base in active.items():
            for _ in range(2):      # warm caches and connections first
                _, headers, body = fetch(base + path)
            extra[target] = {"If-None-Match": headers["ETag"]} if revalidate else {}
            size[target] = len(body)
        rounds = []
        for _ in range(arguments.repeat):
            rounds.append({target: wrk(base + path, arguments.seconds, arguments.connections,
                                       extra[target]) for target, base in active.items()})
        static = next((t for t in active if "static" in t), None)
        for target in active:
            runs = sorted((r[target] for r in rounds), key=lambda r: r["rps"])
            ratios = sorted(r[target]["rps"] / r[static]["rps"] for r in rounds) if static \
                else []
            results.append({"scenario": scenario, "target": target, "bytes": size[target],
                            **runs[len(runs) // 2],
                            "ratio": ratios[len(ratios) // 2] if ratios else None})
            print(f"{scenario:40} {target:26} {results[-1]['rps']:>10.0f} req/s",
                  file=sys.stderr)
    return results


def render(results: list[dict], arguments) -> str:
    static_plain = next(r["rps"] for r in results if "static" in r["target"])
    plain = {r["target"]: r["rps"] for r in results if r["scenario"] == SCENARIOS[0][0]}
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{platform.python_implementation()} {platform.python_version()}, "
             f"Linux {platform.release()}; wrk -t2 -c{arguments.connections} "
             f"-d{arguments.seconds}s on loopback, sharing the cores with the servers; "
             f"median of {arguments.repeat} rounds, ratios within each round.", "",
             "| scenario | server | body bytes | req/s | p50 | p99 | vs nginx static | "
             "non-2xx/3xx |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        if r["ratio"] is not None:
            ratio = f"{r['ratio']:.2f}×"
        else:   # the variant: no static file; vs the plain feed's static and on its own server
            ratio = (f"{r['rps'] / static_plain:.2f}× ({r['rps'] / plain[r['target']]:.2f}× "
                     "plain feed)")
        lines.append(f"| {r['scenario']} | {r['target']} | {r['bytes']} | {r['rps']:.0f} | "
                     f"{r['p50']} | {r['p99']} | {ratio} | {r['errors']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

"""How fast, and in how much memory, hostile schedule files are checked (most are refused).

    .venv/bin/python bench/hostile.py [--markdown out.md]

Time is the best of three runs without tracemalloc (which slows allocation several times);
peak memory comes from one more run under tracemalloc.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calfeed.errors import CatalogueError  # noqa: E402
from calfeed.schedule.show_file import load_show  # noqa: E402


def billion_laughs(levels: int) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


CASES = {
    "billion laughs (10^9 values through aliases)": lambda: billion_laughs(9),
    "10^12 values through aliases": lambda: billion_laughs(12),
    "nesting 100,000 levels deep": lambda: "title: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "nesting 100,000 mappings deep": lambda: "a: " + "{a: " * 100_000 + "1" + "}" * 100_000,
    "a file of 1 MiB + 1 byte": lambda: "title: {en: x}\n" + "#" * (1024 * 1024),
    "100,000 keys in one mapping": lambda: "".join(f"k{i}: v\n" for i in range(100_000)),
    "values just under the limit (49,990 keys)":
        lambda: "title: {en: x}\n" + "".join(f"k{n}: 1\n" for n in range(49_990)),
    "20,000 unknown keys": lambda: "title: {en: x}\n" + "".join(
        f"key{n}: {n}\n" for n in range(20_000)),
    "20,000 unknown regions": lambda: show(regions=", ".join(
        f"Q{chr(65 + i % 26)}{i}" for i in range(20_000))),
    "a valid skip list of 40,000 dates": lambda: show(start="1971-01-06 20:00", every="1 day",
                                                      skip=40_000),
    "start: 9999-12-01 24:55": lambda: show(start="9999-12-01 24:55"),
    "every: 999999999999 weeks": lambda: show(every="999999999999 weeks"),
    "a title holding \\x00 as a YAML escape": lambda: show(title="a\\x00b"),
}


def show(*, title: str = "Show", regions: str = "JP", start: str = "2024-01-10 24:55",
         every: str = "1 week", skip: int = 0) -> str:
    from datetime import date, timedelta
    first = date.fromisoformat(start[:10])
    skips = ("\n    skip: [" + ", ".join((first + timedelta(days=i)).isoformat()
                                        for i in range(skip)) + "]") if skip else ""
    return (f'title: {{en: "{title}"}}\nepisodes: {{count: 3}}\nreleases:\n  - id: tv\n'
            f"    name: TV\n    kind: broadcast\n    regions: [{regions}]\n"
            f"    timezone: Asia/Tokyo\n    start: {start}\n    every: {every}{skips}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()
    lines = ["| hostile file | checked in | peak memory while checking | message |",
             "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / "hostile.yaml"
            path.write_text(make())
            times = []
            for _ in range(3):
                started = time.perf_counter()
                message = check(path)
                times.append(time.perf_counter() - started)
            elapsed = min(times)
            tracemalloc.start()
            check(path)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            lines.append(f"| {name} | {elapsed * 1000:.1f} ms | {peak / 1024 / 1024:.1f} MB | "
                         f"{message[:80]} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)


def check(path: Path) -> str:
    try:
        load_show(path, "hostile.yaml")
        return "accepted"
    except CatalogueError as exc:
        return exc.errors[0].message


if __name__ == "__main__":
    main()

"""How fast, and in how much memory, hostile schedule files are refused.

    .venv/bin/python bench/hostile.py [--markdown out.md]
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

from calfeed.errors import CatalogError  # noqa: E402
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
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()
    lines = ["| hostile file | refused in | peak memory while refusing | message |",
             "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / "hostile.yaml"
            path.write_text(make())
            tracemalloc.start()
            started = time.perf_counter()
            try:
                load_show(path, "hostile.yaml")
                message = "ACCEPTED"
            except CatalogError as exc:
                message = exc.errors[0].message
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            lines.append(f"| {name} | {elapsed * 1000:.1f} ms | {peak / 1024 / 1024:.1f} MB | "
                         f"{message[:80]} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if arguments.markdown:
        arguments.markdown.write_text(report)


if __name__ == "__main__":
    main()

"""Real nginx for the tests: the shipped configurations, through bench/loopback.py."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from bench.loopback import fetch, free_port, nginx as run_nginx  # noqa: F401 (re-exported)
from tests.tools import require


@contextmanager
def nginx(config_name: str, folder: Path, **where):
    with run_nginx(require("nginx", "apt-get install nginx"), config_name, folder,
                   **where) as base:
        yield base

"""`make run`: check there is good data to serve, then hand over to granian, calfeed's
production WSGI server.

In production, name the address clients use: `CALFEED_PUBLIC_URL=https://calfeed.example.org
make run` (every absolute URL then names it, whatever Host a request sends; docs/deploy.md).
An unusable value is refused here, before granian starts.

granian was chosen by measurement (docs/benchmarks.md): on this 2-core machine it answers
about ten times the requests gunicorn's sync workers do for the same cached feed. Flask's
development server is never used to serve.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def granian_arguments(environ: dict[str, str]) -> list[str]:
    host, _, port = environ.get("CALFEED_BIND", "127.0.0.1:8000").rpartition(":")
    return [
        "--interface", "wsgi", "--no-ws",
        "--host", host.strip("[]") or "127.0.0.1", "--port", port,
        # One process per core: requests are CPU work on cached bytes.
        "--workers", environ.get("CALFEED_WORKERS", str(os.cpu_count() or 2)),
        # Two threads per worker, so that one slow render (a large region feed after a reload)
        # does not hold up the cached answers queued behind it; more threads cost throughput
        # (docs/benchmarks.md).
        "--blocking-threads", environ.get("CALFEED_THREADS", "2"),
        "--backlog", "2048",
        # Drop clients that never finish sending their headers.
        "--http1-header-read-timeout", "10000",
        # On SIGTERM workers finish the requests they have; after 30 s they are killed.
        "--workers-kill-timeout", "30s",
        "--respawn-failed-workers",
        # Access logs on: operators want them. They halve the requests a worker answers, so
        # benchmarks turn them off (CALFEED_ACCESS_LOG=0) as they do nginx's.
        "--log-level", "info",
        "--access-log" if environ.get("CALFEED_ACCESS_LOG", "1") != "0" else "--no-access-log",
        # granian's own logging, with edit keys hidden from the access log (web/log_filters.py).
        "--log-config", str(ROOT / "deploy" / "granian-logging.json"),
        "--working-dir", str(ROOT),
        "wsgi:app",
    ]


# glibc malloc's fixed threshold (bytes) above which an allocation gets its own mmap, given back
# whole when freed. Left to itself glibc raises the threshold after each large free (up to
# 32 MB), so the later large bodies (a 900 KB region feed, a 7 MB API document) come from the
# heap, which fragments and keeps the memory: granian's worker grew 84 MB under 1,500 made-up
# Hosts that way, 19 MB with the threshold fixed (docs/benchmarks.md, bench/memory.py).
MMAP_THRESHOLD = "131072"


def worker_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment granian and its workers run in: an operator's own malloc setting wins."""
    return {"MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD, **environ}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from calfeed.config import SettingError, load_config
    from calfeed.database import open_database
    from calfeed.web.public_url import PublicURLError, parse_public_url
    from calfeed.serve.startup import check_before_serving

    try:
        config = load_config()
    except SettingError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None
    try:
        parse_public_url(config["PUBLIC_URL"])
    except PublicURLError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None
    # The app's instance folder, as Flask names it for the calfeed package.
    state_path = config["STATE_PATH"] or str(ROOT / "instance" / "state.sqlite3")
    # Invalid schedules with a last good copy kept: workers serve that copy and /healthz says
    # degraded (as nginx keeps its old configuration on a bad reload). With no copy: refuse.
    database = open_database(config)
    refusal = check_before_serving(config["SCHEDULES_DIR"], state_path, database)
    if database is not None:
        database.close()
    if refusal:
        print(refusal, file=sys.stderr)
        raise SystemExit(1)
    granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
    os.execve(granian, [granian, *granian_arguments(dict(os.environ))],
              worker_environment(dict(os.environ)))


if __name__ == "__main__":
    main()

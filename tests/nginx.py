"""Real nginx (Debian's package) on loopback, running the shipped configurations.

The shipped files are used as they are, but for the lines that name machine paths and ports
(pid, logs, cache folder, listen, root, upstream), which are pointed at a test folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.tools import require

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"


def localized(config: str, folder: Path, *, listen: int, root: Path | None = None,
              upstream: int | None = None) -> str:
    replacements = [
        (r"pid [^;]+;", f"pid {folder}/nginx.pid;"),
        (r"error_log [^;]+;", f"error_log {folder}/error.log warn;"),
        (r"access_log [^;]+;", f"access_log {folder}/access.log;"),
        (r"proxy_cache_path \S+", f"proxy_cache_path {folder}/cache"),
        (r"listen \d+;", f"listen 127.0.0.1:{listen};"),
    ]
    if root is not None:
        replacements.append((r"root [^;]+;", f"root {root};"))
    if upstream is not None:
        replacements.append((r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream};"))
    for pattern, replacement in replacements:
        config, count = re.subn(pattern, replacement, config)
        assert count >= 1 or "proxy_cache_path" in pattern or "root" in pattern, pattern
    if os.geteuid() == 0:
        # Started as root, nginx runs its workers as nobody, who cannot enter pytest's private
        # temporary folders; as any other user the workers stay that user.
        config = "user root;\n" + config
    # Temporary files of a non-default nginx go in the test folder too.
    return config.replace("http {", f"http {{\n    client_body_temp_path {folder}/body;\n"
                                     f"    proxy_temp_path {folder}/proxy;\n", 1)


@contextmanager
def nginx(config_name: str, folder: Path, **where):
    binary = require("nginx", "apt-get install nginx")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(localized((DEPLOY / config_name).read_text(), folder, **where))
    subprocess.run([binary, "-t", "-c", str(config), "-e", str(folder / "error.log")],
                   check=True, capture_output=True)
    subprocess.run([binary, "-c", str(config), "-e", str(folder / "error.log")], check=True)
    base = f"http://127.0.0.1:{where['listen']}"
    try:
        deadline = time.monotonic() + 10
        while not (folder / "nginx.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield base
    finally:
        subprocess.run([binary, "-c", str(config), "-e", str(folder / "error.log"), "-s", "stop"],
                       capture_output=True)


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) without raising on 304 or 4xx."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()

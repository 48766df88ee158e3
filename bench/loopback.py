"""Running calfeed's pieces on loopback: free ports, real nginx on the shipped configurations,
HTTP fetches that do not raise on 304 or 4xx. Shared by the tests and the benchmarks."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"


_handed_out: set[int] = set()


def free_port(_again: bool = True) -> int:
    """A port free on loopback: the system's choice, or with CALFEED_TEST_PORTS=8130-8139 one
    of that range not handed out yet (machines shared by several runs give each its range)."""
    wanted = os.environ.get("CALFEED_TEST_PORTS", "")
    if wanted:
        first, _, last = wanted.partition("-")
        for port in range(int(first), int(last or first) + 1):
            if port in _handed_out:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
        if not _again:
            raise OSError(f"no port free in CALFEED_TEST_PORTS={wanted}")
        _handed_out.clear()     # all handed out once: the servers before have stopped
        return free_port(False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def localized(config: str, folder: Path, *, listen: int, root: Path | None = None,
              upstream: int | None = None, access_log: bool = True) -> str:
    """A shipped nginx configuration with its machine paths and ports pointed at `folder`."""
    replacements = [
        (r"pid [^;]+;", f"pid {folder}/nginx.pid;"),
        (r"error_log [^;]+;", f"error_log {folder}/error.log warn;"),
        # The log's path only: a format named after it stays.
        (r"access_log [^;]+;", "access_log off;") if not access_log else
        (r"access_log /\S+?(;| )", f"access_log {folder}/access.log\\1"),
        (r"proxy_cache_path \S+", f"proxy_cache_path {folder}/cache"),
        (r"listen \d+;", f"listen 127.0.0.1:{listen};"),
    ]
    if root is not None:
        replacements.append((r"root [^;]+;", f"root {root};"))
    if upstream is not None:
        replacements.append((r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream};"))
    for pattern, replacement in replacements:
        config = re.sub(pattern, replacement, config)
    if os.geteuid() == 0:
        # Started as root, nginx runs its workers as nobody, who cannot enter private
        # temporary folders; as any other user the workers stay that user.
        config = "user root;\n" + config
    # Temporary files of a non-default nginx go in the folder too.
    return config.replace("http {", f"http {{\n    client_body_temp_path {folder}/body;\n"
                                     f"    proxy_temp_path {folder}/proxy;\n", 1)


@contextmanager
def nginx(binary: str, config_name: str, folder: Path, **where):
    """nginx on a shipped configuration until the block ends; yields its base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(localized((DEPLOY / config_name).read_text(), folder, **where))
    log = ["-e", str(folder / "error.log")]
    subprocess.run([binary, "-t", "-c", str(config), *log], check=True, capture_output=True)
    subprocess.run([binary, "-c", str(config), *log], check=True)
    try:
        deadline = time.monotonic() + 10
        while not (folder / "nginx.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield f"http://127.0.0.1:{where['listen']}"
    finally:
        subprocess.run([binary, "-c", str(config), *log, "-s", "stop"], capture_output=True)


def get(port: int, path: str, timeout: float = 600) -> tuple[int, bytes]:
    """(status, body) of a GET on loopback over a connection of its own, without urllib's
    handlers (no redirect followed): cheap enough to time requests with."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) without raising on 304 or 4xx."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for(url: str, process: subprocess.Popen | None = None, seconds: float = 60) -> bytes:
    """The body of `url` once it answers 200; fails if the process exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"server exited: {output}")
        try:
            status, _, body = fetch(url)
            if status == 200:
                return body
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {seconds} s")

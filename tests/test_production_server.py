"""`make run`'s server: gunicorn with deploy/gunicorn.conf.py, started as the Makefile does."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INVALID = Path(__file__).parent / "schedules" / "invalid"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(env_extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "CALFEED_WORKERS": "1", **env_extra}
    env.setdefault("CALFEED_STATE_PATH", str(Path(tempfile.mkdtemp()) / "state.sqlite3"))
    binary = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen([str(binary), "--config", "deploy/gunicorn.conf.py", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 20) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def test_serves_the_bundled_schedules():
    port = free_port()
    process = gunicorn({"CALFEED_BIND": f"127.0.0.1:{port}"})
    try:
        body = wait_for(f"http://127.0.0.1:{port}/", process)
        assert "Metallic Rouge" in body.decode()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "gunicorn" in output.lower() and '"GET / HTTP/1.1" 200' in output


def test_refuses_to_start_on_invalid_data_with_the_messages(tmp_path):
    shutil.copy(INVALID / "dst-gap.yaml", tmp_path)
    process = gunicorn({"CALFEED_BIND": f"127.0.0.1:{free_port()}",
                        "CALFEED_SCHEDULES_DIR": str(tmp_path)})
    output, _ = process.communicate(timeout=30)
    assert process.returncode != 0
    assert f"{tmp_path}/dst-gap.yaml:10:12: release 'tv': 2024-03-10 02:30 does not exist" in output
    assert "Traceback" not in output


def test_makefile_runs_gunicorn_not_the_development_server():
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn --config deploy/gunicorn.conf.py wsgi:app" in run_recipe
    assert "flask run" not in makefile and "app.run(" not in (ROOT / "wsgi.py").read_text()

"""`make run`'s server: granian, started by deploy/serve.py exactly as the Makefile does."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.loopback import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
INVALID = Path(__file__).parent / "schedules" / "invalid"


def serve(env_extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "CALFEED_WORKERS": "1", **env_extra}
    env.setdefault("CALFEED_STATE_PATH", str(Path(tempfile.mkdtemp()) / "state.sqlite3"))
    return subprocess.Popen([sys.executable, "deploy/serve.py"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    return output


def test_serves_the_bundled_schedules_with_granian():
    port = free_port()
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}"})
    try:
        body = wait_for(f"http://127.0.0.1:{port}/", process)
        assert "Metallic Rouge" in body.decode()
        feed = wait_for(f"http://127.0.0.1:{port}/feeds/us/metallic-rouge.ics", process)
        assert feed.count(b"BEGIN:VEVENT") == 13
    finally:
        output = stop(process)
    assert process.returncode == 0, output
    assert "granian" in output.lower()
    assert '"GET /feeds/us/metallic-rouge.ics HTTP/1.1" 200' in output   # the access log


def test_refuses_to_start_on_invalid_data_with_the_messages(tmp_path):
    shutil.copy(INVALID / "dst-gap.yaml", tmp_path)
    process = serve({"CALFEED_BIND": f"127.0.0.1:{free_port()}",
                     "CALFEED_SCHEDULES_DIR": str(tmp_path)})
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert f"{tmp_path}/dst-gap.yaml:10:12: release 'tv': 2024-03-10 02:30 does not exist" in output
    assert "Traceback" not in output


def test_makefile_runs_the_production_server_not_the_development_server():
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "deploy/serve.py" in run_recipe
    assert "flask run" not in makefile and "app.run(" not in (ROOT / "wsgi.py").read_text()
    sys.path.insert(0, str(ROOT / "deploy"))
    from serve import granian_arguments
    arguments = granian_arguments({"CALFEED_BIND": "0.0.0.0:9000", "CALFEED_WORKERS": "3"})
    assert arguments[arguments.index("--host") + 1] == "0.0.0.0"
    assert arguments[arguments.index("--port") + 1] == "9000"
    assert arguments[arguments.index("--workers") + 1] == "3"
    assert "--reload" not in arguments and arguments[-1] == "wsgi:app"

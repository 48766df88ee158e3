"""`make run`'s server: granian, started by deploy/serve.py exactly as the Makefile does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.loopback import fetch, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
INVALID = Path(__file__).parent / "schedules" / "invalid"


def serve(env_extra: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    """deploy/serve.py as `make run` starts it; its output goes to `log` when given."""
    env = {**os.environ, "CALFEED_WORKERS": "1", **env_extra}
    env.setdefault("CALFEED_STATE_PATH", str(Path(tempfile.mkdtemp()) / "state.sqlite3"))
    output = log.open("w") if log else subprocess.PIPE
    return subprocess.Popen([sys.executable, "deploy/serve.py"], cwd=ROOT, env=env,
                            stdout=output, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def wait_for_text(log: Path, text: str, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return log.read_text()


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    return output


def test_serves_the_bundled_schedules_with_granian(tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}"}, log)
    try:
        # The front page shows the current season (by the real clock): find the show instead.
        body = wait_for(f"http://127.0.0.1:{port}/search?q=metallic", process)
        assert "Metallic Rouge" in body.decode()
        feed = wait_for(f"http://127.0.0.1:{port}/feeds/us/metallic-rouge.ics", process)
        assert feed.count(b"BEGIN:VEVENT") == 13
        access = '"GET /feeds/us/metallic-rouge.ics HTTP/1.1" 200'
        assert access in wait_for_text(log, access)     # the access log
        # glibc's mmap threshold fixed in the workers (deploy/serve.py MMAP_THRESHOLD).
        wanted = os.environ.get("MALLOC_MMAP_THRESHOLD_", "131072")
        workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert workers
        for worker in workers:
            environ = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
            assert f"MALLOC_MMAP_THRESHOLD_={wanted}".encode() in environ
    finally:
        stop(process)
    assert process.returncode == 0, log.read_text()
    assert "granian" in log.read_text().lower()


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


def test_live_reload_under_two_workers(tmp_path):
    """Both workers serve an edit as soon as one has loaded it, never alternating between
    versions; a bad edit leaves both serving the last good data and reporting the problem.

    It waits for events (an answer, log lines), not for guessed durations, so a loaded machine
    makes it slower, not flaky."""
    schedules = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", schedules)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_WORKERS": "2",
                     "CALFEED_SCHEDULES_DIR": str(schedules), "CALFEED_RELOAD_INTERVAL": "1"},
                    log)
    path = schedules / "metallic-rouge.yaml"
    feed = base + "/feeds/us/metallic-rouge.ics"

    def all_answers(url: str, check, rounds: int = 20) -> bool:
        return all(check(wait_for(url, process)) for _ in range(rounds))

    def until(condition, seconds: float = 120) -> bool:
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.1)
        return condition()
    try:
        wait_for(base + "/healthz", process)
        path.write_text(path.read_text().replace("{en: Marginal City,",
                                                 "{en: Marginal City (edited),"))
        assert until(lambda: b"Marginal City (edited)" in wait_for(feed, process))
        # From the first new answer on, every answer is new, whichever worker gives it.
        assert all_answers(feed, lambda body: b"Marginal City (edited)" in body, rounds=40)
        path.write_text(path.read_text().replace("count: 13", "count: thirteen"))
        # Each worker notices the bad edit on its own and logs it once.
        assert until(lambda: log.read_text().count("not 'thirteen'") >= 2), log.read_text()
        assert all_answers(base + "/healthz",
                           lambda body: b'"status": "degraded"' in body and b"thirteen" in body)
        assert all_answers(feed, lambda body: b"Marginal City (edited)" in body)
    finally:
        stop(process)


def test_starts_on_invalid_data_serving_the_last_good_copy(tmp_path):
    """A bad folder with a last good copy kept is served from that
    copy while /healthz says degraded; only with no copy does the start refuse."""
    schedules = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", schedules)
    state_path = str(tmp_path / "state.sqlite3")
    env = {"CALFEED_SCHEDULES_DIR": str(schedules), "CALFEED_STATE_PATH": state_path}
    port = free_port()
    process = serve({**env, "CALFEED_BIND": f"127.0.0.1:{port}"}, tmp_path / "first.log")
    try:
        good = wait_for(f"http://127.0.0.1:{port}/feeds/us/metallic-rouge.ics", process)
    finally:
        stop(process)
    shutil.copy(INVALID / "dst-gap.yaml", schedules / "metallic-rouge.yaml")
    port = free_port()
    process = serve({**env, "CALFEED_BIND": f"127.0.0.1:{port}"}, tmp_path / "second.log")
    try:
        served = wait_for(f"http://127.0.0.1:{port}/feeds/us/metallic-rouge.ics", process)
        assert served.count(b"BEGIN:VEVENT") == 13 and b"SUMMARY:Metallic Rouge" in served
        def identity(feed: bytes) -> list[bytes]:
            return [line for line in feed.split(b"\r\n")
                    if line.startswith((b"UID", b"DTSTART", b"SEQUENCE"))]
        assert identity(served) == identity(good)
        health = json.loads(wait_for(f"http://127.0.0.1:{port}/healthz", process))
        assert (health["status"], health["serving"]) == ("degraded", "last_good")
        assert "metallic-rouge.yaml:10:12" in health["details"]["errors"][0]
    finally:
        stop(process)


def test_sigterm_lets_an_answer_in_progress_finish(tmp_path):
    """A slow request (the first render of a large feed) is answered in full after SIGTERM."""
    import threading
    schedules = tmp_path / "schedules"
    subprocess.run([sys.executable, "-m", "calfeed.cli", "synth", "600", str(schedules)],
                   check=True, capture_output=True, cwd=ROOT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_SCHEDULES_DIR": str(schedules)},
                    tmp_path / "server.log")
    try:
        wait_for(base + "/healthz", process, seconds=120)
        answers = []

        def slow_request():
            # A year of 600 shows' airings in every release: slow enough to be in progress
            # (a region feed is no longer: it covers a window and renders what fits).
            answers.append(fetch(base + "/api/v1/schedule?releases=all&lang=ja"
                                 "&from=2024-01-01&to=2024-12-31"))
            answers.append(time.monotonic())
        slow = threading.Thread(target=slow_request)
        slow.start()
        time.sleep(0.2)
        terminated_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        slow.join(timeout=60)
    finally:
        process.wait(timeout=60)
    (status, headers, body), answered_at = answers
    assert answered_at > terminated_at, "the request was not in progress when SIGTERM came"
    assert status == 200 and body.endswith(b"]}\n")
    assert int(headers["Content-Length"]) == len(body)
    assert process.returncode == 0


def test_a_broken_state_database_never_takes_the_service_down(tmp_path):
    """As it was reproduced: the database overwritten with random bytes and a worker
    killed (the respawned worker crashed, granian saw a crash loop and exited); then a write
    lock held across SIGHUP (about 30 s of refused connections)."""
    import sqlite3
    import threading
    schedules = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", schedules)
    database = tmp_path / "state.sqlite3"
    port = free_port()
    feed = f"http://127.0.0.1:{port}/feeds/us/metallic-rouge.ics"
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_WORKERS": "2",
                     "CALFEED_SCHEDULES_DIR": str(schedules), "CALFEED_STATE_PATH": str(database),
                     "CALFEED_RELOAD_INTERVAL": "1"}, tmp_path / "server.log")
    answers: list[tuple[float, object]] = []
    polling = threading.Event()

    def poll():
        while not polling.is_set():
            try:
                status, _, body = fetch(feed)
                answers.append((time.monotonic(), (status, body.count(b"BEGIN:VEVENT"))))
            except OSError as exc:
                answers.append((time.monotonic(), type(exc).__name__))
            time.sleep(0.02)
    try:
        wait_for(feed, process)
        poller = threading.Thread(target=poll)
        poller.start()
        database.write_bytes(os.urandom(32 * 1024))
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        workers = [int(pid) for pid in children]
        os.kill(workers[0], signal.SIGKILL)
        time.sleep(3)
        locker = sqlite3.connect(database, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        os.kill(process.pid, signal.SIGHUP)      # granian starts new workers
        time.sleep(6)
        locker.execute("ROLLBACK")
        locker.close()
        time.sleep(2)
        polling.set()
        poller.join()
        assert process.poll() is None, "the server exited"
        assert list(tmp_path.glob("state.sqlite3.corrupt-*")), "the corrupt file was not kept"
    finally:
        polling.set()
        stop(process)
    good = [at for at, answer in answers if answer == (200, 13)]
    bad = [(at, answer) for at, answer in answers if answer != (200, 13)]
    assert len(good) > 100
    # Only requests caught by the killed worker may fail; never an error status or an empty
    # calendar, and never a stretch of refusals (the fault gave 30 s of them). How long the
    # master takes to notice its dead worker depends on the machine's load: a stretch is
    # measured in time, from its first failure to the next answer, not counted in polls.
    assert all(isinstance(answer, str) for _, answer in bad), bad[:5]
    assert longest_outage(answers, (200, 13)) < 1.0, bad


def longest_outage(answers: list[tuple[float, object]], expected) -> float:
    """The longest time from a failed poll to the next expected answer, in seconds."""
    longest, since = 0.0, None
    for at, answer in answers:
        if answer != expected:
            since = at if since is None else since
        elif since is not None:
            longest, since = max(longest, at - since), None
    return longest if since is None else float("inf")

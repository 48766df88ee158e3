"""Two instances under granian (as `make run` starts them), each with its own instance and
schedules folders, on one PostgreSQL: one service. The same bytes and ETags, calendars made on
one and edited on the other, one SEQUENCE after a schedule edit, and the database stopped and
started again under them."""

from __future__ import annotations

import http.client
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from icalendar import Calendar

from bench.loopback import fetch, free_port, wait_for
from calfeed.config import BUNDLED_SCHEDULES
from tests.postgres import PASSWORD, throwaway_cluster, wait_until
from tests.test_revisions import skip_a_week
from tests.test_production_server import serve, stop

PUBLIC = "https://calfeed.example.org"


class Instance:
    """One machine: its instance folder, its copy of the schedules, its granian."""

    def __init__(self, folder: Path, database_url: str):
        self.folder, self.port = folder, free_port()
        self.schedules = folder / "schedules"
        shutil.copytree(BUNDLED_SCHEDULES, self.schedules)
        self.log = folder / "server.log"
        self.process = serve({
            "CALFEED_BIND": f"127.0.0.1:{self.port}", "CALFEED_DATABASE_URL": database_url,
            # Behind one load balancer every machine names the one public address
            # (docs/deploy.md): feeds hold their own URL.
            "CALFEED_PUBLIC_URL": PUBLIC,
            "CALFEED_STATE_PATH": str(folder / "instance" / "state.sqlite3"),
            "CALFEED_CALENDARS_PATH": str(folder / "instance" / "calendars.sqlite3"),
            "CALFEED_SCHEDULES_DIR": str(self.schedules), "CALFEED_RELOAD_INTERVAL": "0.5",
            "CALFEED_RELOAD_SETTLE_SECONDS": "0.2", "CALFEED_ACCESS_LOG": "0"}, self.log)
        self.base = f"http://127.0.0.1:{self.port}"
        wait_for(f"{self.base}/healthz", self.process)

    def get(self, path: str):
        return fetch(self.base + path)

    def post_form(self, path: str, fields: dict) -> tuple[int, str, str]:
        """(status, Location, body) of a form sent as a browser sends it from calfeed's own
        page (its Origin: the public address both machines answer as), not redirected."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("POST", path, urlencode(fields, doseq=True),
                           {"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": PUBLIC.rstrip("/")})
        answer = connection.getresponse()
        body = answer.read().decode()
        connection.close()
        return answer.status, answer.headers.get("Location", ""), body


@pytest.fixture(scope="module")
def cluster():
    """A cluster of the module's own: one test stops and starts it."""
    with throwaway_cluster() as running:
        yield running


@pytest.fixture
def two(cluster, tmp_path):
    url = cluster.new_database()
    instances = [Instance(tmp_path / name, url) for name in ("a", "b")]
    yield instances
    for instance in instances:
        stop(instance.process)


def events(body: bytes) -> dict[str, tuple]:
    return {str(e["UID"]): (e["SEQUENCE"], e.decoded("LAST-MODIFIED"), e.decoded("DTSTART"))
            for e in Calendar.from_ical(body).walk("VEVENT")}


FEED = "/feeds/us/metallic-rouge.ics"


def test_two_instances_serve_the_same_bytes_and_etags(two):
    a, b = two
    (status_a, headers_a, body_a), (status_b, headers_b, body_b) = a.get(FEED), b.get(FEED)
    assert status_a == status_b == 200
    assert body_a == body_b
    assert headers_a["ETag"] == headers_b["ETag"]
    assert headers_a["Last-Modified"] == headers_b["Last-Modified"]
    # A client revalidating against the other machine is told nothing changed.
    assert fetch(b.base + FEED, {"If-None-Match": headers_a["ETag"]})[0] == 304


def test_a_calendar_made_on_one_is_edited_on_the_other_and_served_by_both(two):
    a, b = two
    status, location, _ = a.post_form("/calendars", {"region": "jp", "show": "metallic-rouge"})
    assert status == 303
    edit_path = urlsplit(location).path
    page = b.get(edit_path)[2].decode()
    feed_path = re.search(r"/feeds/my/[^\"<]+\.ics", page).group(0)
    before = events(a.get(feed_path)[2])
    assert events(b.get(feed_path)[2]) == before

    status, _, _ = b.post_form(edit_path, {"region": "jp", "show": "metallic-rouge",
                                           "alarm": "15"})
    assert status == 303
    # Served by both within a second or two, identically, every SEQUENCE up.
    assert wait_until(lambda: a.get(feed_path)[2] == b.get(feed_path)[2] and
                      events(a.get(feed_path)[2]) != before, timeout=3)
    after = events(a.get(feed_path)[2])
    assert set(after) == set(before)
    assert all(after[uid][0] > before[uid][0] for uid in before)


def test_a_schedule_edit_gets_one_sequence_whichever_instance_saw_it_first(two):
    a, b = two
    before = events(a.get(FEED)[2])
    for instance in (a, b):        # deployed to A first, to B a little later
        skip_a_week(instance.schedules)
        assert wait_until(lambda seen=instance: events(seen.get(FEED)[2]) != before)
    seen_a, seen_b = a.get(FEED), b.get(FEED)
    assert seen_a[2] == seen_b[2] and seen_a[1]["ETag"] == seen_b[1]["ETag"]
    moved = events(seen_a[2])["bgm425595-6-us@calfeed"]
    assert moved[0] == before["bgm425595-6-us@calfeed"][0] + 1


def test_the_database_stopped_then_started_again(two, cluster):
    a, b = two
    status, location, _ = a.post_form("/calendars", {"region": "jp", "show": "metallic-rouge"})
    edit_path = urlsplit(location).path
    feed_path = re.search(r"/feeds/my/[^\"<]+\.ics", a.get(edit_path)[2].decode()).group(0)
    personal = a.get(feed_path)[2]
    public = a.get(FEED)[2]

    cluster.stop()
    try:
        assert a.get(FEED)[:3:2] == (200, public)
        assert a.get("/week?region=us")[0] == 200 and a.get("/api/v1/shows")[0] == 200
        assert a.get(feed_path)[:3:2] == (200, personal)        # the last state it read
        status, _, body = a.post_form("/calendars", {"region": "jp", "show": "metallic-rouge"})
        assert status == 503 and "try again shortly" in body
        status, _, _ = b.post_form(edit_path, {"region": "us", "show": "metallic-rouge"})
        assert status == 503
        time.sleep(2.1)     # past the second in which uses fail at once, and the last probe
        started = time.monotonic()
        health = a.get("/healthz")[2].decode()
        assert '"status": "degraded"' in health and '"database": "unreachable"' in health
        # Well within a load balancer's check: waiting for the database's connect timeout
        # (3 s) would take every machine out of service while each still serves.
        assert time.monotonic() - started < 2
    finally:
        cluster.start()
    # Back without a restart: writes work, nothing was lost.
    assert wait_until(lambda: b.post_form(edit_path, {"region": "us",
                                                      "show": "metallic-rouge"})[0] == 303)
    assert wait_until(lambda: a.get(feed_path)[2] == b.get(feed_path)[2] != personal, timeout=3)
    assert "LOCATION:" in b.get(feed_path)[2].decode()
    assert '"database": "ok"' in wait_until(
        lambda: (lambda text: '"database": "ok"' in text and text)(a.get("/healthz")[2].decode()),
        timeout=5)
    for instance in (a, b):
        text = instance.log.read_text()
        assert PASSWORD not in text
    assert "degraded: the database" in a.log.read_text()

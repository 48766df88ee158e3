"""Hostile schedules dropped into a running app: each refused with a clear message and no
traceback, never changing what is served; or accepted, and escaped in every output."""

from __future__ import annotations

import json
import shutil
import tracemalloc
from pathlib import Path

import pytest
from icalendar import Calendar

from calfeed.web import state
from calfeed.schedule.yamlfile import MAX_BYTES
from tests.conftest import SCHEDULE_FIXTURES
from tests.parsers import PARSERS

INVALID = SCHEDULE_FIXTURES / "invalid"
HOSTILE = SCHEDULE_FIXTURES / "hostile"
FEED = "/feeds/us/metallic-rouge.ics"

REFUSED = [  # (fixture, what the message says)
    (INVALID / "alias-bomb.yaml", "refused as an alias bomb"),
    (INVALID / "deep-nesting.yaml", "nested more than 32 levels deep"),
    (INVALID / "binary.yaml", "file is not UTF-8"),
    (INVALID / "nul-byte.yaml", "control character U+0000"),
    (INVALID / "not-utf8.yaml", "file is not UTF-8"),
    (INVALID / "tab-indentation.yaml", "indent with spaces, not tabs"),
    (INVALID / "several-documents.yaml", "several YAML documents"),
    (INVALID / "duplicate-key.yaml", "duplicate key 'start'"),
    (INVALID / "count-out-of-range.yaml", "'count' is 1000000000, out of range"),
    (INVALID / "follows-cycle.yaml", "'follows' forms a cycle"),
    (INVALID / "link-not-http.yaml", "must be an http:// or https:// URL, not 'javascript:"),
    (INVALID / "link-data-url.yaml", "must be an http:// or https:// URL, not 'data:"),
    (HOSTILE / "title-of-10000-characters.yaml", "10000 characters long, over the limit of 500"),
]


@pytest.fixture
def live(make_on_copy, schedules):
    return make_on_copy(), schedules


def drop_in(app, folder: Path, source: Path, name: str | None = None) -> bool:
    shutil.copy(source, folder / (name or source.name))
    with app.app_context():
        return state.service(app).reload()


@pytest.mark.parametrize(("fixture", "message"), REFUSED, ids=[f.name for f, _ in REFUSED])
def test_refused_and_what_is_served_stays(live, fixture, message):
    app, folder = live
    client = app.test_client()
    served = {path: client.get(path).data for path in (FEED, "/feeds/jp.ics",
                                                       "/api/v1/schedule")}
    tracemalloc.start()
    try:
        assert drop_in(app, folder, fixture) is False
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30 * 1024 * 1024, "memory stays bounded"
    assert {path: client.get(path).data for path in served} == served
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert any(message in error and fixture.name in error for error in health["details"]["errors"])
    assert not any("Traceback" in error for error in health["details"]["errors"])


def test_a_file_over_the_size_limit_is_refused(live, tmp_path):
    app, folder = live
    big = tmp_path / "big-show.yaml"
    big.write_bytes(b"title: {en: Big}\n" + b"# padding\n" * (MAX_BYTES // 10 + 1))
    served = app.test_client().get(FEED).data
    assert drop_in(app, folder, big) is False
    assert app.test_client().get(FEED).data == served
    assert "over the 1048576 byte limit" in app.test_client().get("/healthz").get_json()[
        "details"]["errors"][0]


def feeds_of(show_id: str) -> list[str]:
    return [f"/feeds/jp/{show_id}.ics", f"/feeds/us/{show_id}.ics", "/feeds/jp.ics",
            "/feeds/us.ics?releases=all", f"/feeds/jp/{show_id}.ics?lang=ja&alarm=5",
            f"/feeds/gb/{show_id}.ics?all_day=1&tz=Europe/London"]


def test_icalendar_injection_is_escaped_in_every_feed(live):
    app, folder = live
    assert drop_in(app, folder, HOSTILE / "title-with-icalendar-injection.yaml", "inject.yaml")
    client = app.test_client()
    for path in feeds_of("inject"):
        body = client.get(path).data
        lines = body.split(b"\r\n")
        assert lines.count(b"BEGIN:VEVENT") == lines.count(b"END:VEVENT")
        assert lines.count(b"END:VCALENDAR") == 1
        assert not any(line.startswith((b"UID:evil", b"SUMMARY:evil", b"DTSTART:1970",
                                        b"LOCATION:evil")) for line in lines), path
        for name, parse in PARSERS.items():
            events = parse(body)
            assert "evil@example.org" not in events and len(events) == lines.count(
                b"BEGIN:VEVENT"), (name, path)
    summary = str(Calendar.from_ical(client.get("/feeds/jp/inject.ics").data)
                  .walk("VEVENT")[0]["SUMMARY"])
    # The text survives as text; iCalendar TEXT has one line break, so CRLF comes back as LF.
    assert summary.startswith("Inject\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@example.org")


def test_script_in_titles_is_escaped_on_pages_and_plain_in_json(live):
    app, folder = live
    assert drop_in(app, folder, HOSTILE / "title-with-script.yaml", "script.yaml")
    client = app.test_client()
    for path in ("/?region=jp", "/shows/script?region=jp", "/shows/script?region=us&lang=ja"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<b onmouseover" not in page and "</title><script>" not in page
    assert "&lt;script&gt;alert(&#39;show&#39;)&lt;/script&gt;" in client.get(
        "/shows/script?region=jp").text
    shows = client.get("/api/v1/shows").get_json()["shows"]
    assert {s["title"]["en"] for s in shows} >= {"<script>alert('show')</script>"}
    raw = client.get("/api/v1/shows").data
    assert json.loads(raw) and client.get("/api/v1/shows").content_type == "application/json"


def test_titles_at_the_limit_fold_cleanly(live):
    app, folder = live
    assert drop_in(app, folder, HOSTILE / "title-at-the-limit.yaml", "long.yaml")
    client = app.test_client()
    for path in feeds_of("long"):
        body = client.get(path).data
        for line in body.split(b"\r\n"):
            assert len(line) <= 75
            line.decode("utf-8")
        for name, parse in PARSERS.items():
            assert len(parse(body)) == body.count(b"\r\nBEGIN:VEVENT\r\n"), name
    summary = str(Calendar.from_ical(client.get("/feeds/jp/long.ics?lang=ja").data)
                  .walk("VEVENT")[0]["SUMMARY"])
    assert summary.startswith("🎌" * 500)

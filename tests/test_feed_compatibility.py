"""Feeds read by the parsers real clients use: all accept every feed and agree on every event.

Also the byte-level rules clients are strict about: CRLF, lines of at most 75 octets, folding
between characters (never inside a UTF-8 sequence), escaped TEXT that survives a round trip.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar

from calfeed.web import state
from calfeed.publish.selection import select_airings
from tests.parsers import PARSERS

FEED_FIXTURES = Path(__file__).parent / "schedules" / "feeds"

METALLIC_ROUGE_FEEDS = [f"/feeds/{r}/metallic-rouge.ics" for r in ("jp", "us", "gb", "de", "br",
                                                                    "au")]
PARAMETER_FEEDS = [
    "/feeds/jp.ics", "/feeds/us.ics", "/feeds/kr.ics",
    "/feeds/jp/metallic-rouge.ics?lang=ja",
    "/feeds/us/metallic-rouge.ics?lang=ja",
    "/feeds/us/metallic-rouge.ics?alarm=0,15,60,1440,10080",
    "/feeds/jp/metallic-rouge.ics?release=d-anime-store,fod",
    "/feeds/jp/metallic-rouge.ics?releases=all",
    "/feeds/jp/metallic-rouge.ics?release=fod&releases=all",
    "/feeds/us/metallic-rouge.ics?all_day=1&tz=Asia/Tokyo",
    "/feeds/au/metallic-rouge.ics?all_day=1",
    "/feeds/us/metallic-rouge.ics?past_days=0",
    "/feeds/jp.ics?lang=ja&alarm=15&releases=all&all_day=1&tz=America/Los_Angeles&past_days=30",
]
FIXTURE_FEEDS = [
    "/feeds/jp/escapes-and-long-japanese-titles.ics",
    "/feeds/jp/escapes-and-long-japanese-titles.ics?lang=ja&alarm=30",
    "/feeds/us/escapes-and-long-japanese-titles.ics?releases=all",
    "/feeds/jp.ics?releases=all&lang=ja",
]


# The imported catalogue on 6 April 2026: days without their time (all-day events, no alarm
# even when asked), a long runner known by its dates, a show listed without dates (no event).
IMPORTED_FEEDS = [
    "/feeds/us/daemons-of-the-shadow-realm.ics",
    "/feeds/us/daemons-of-the-shadow-realm.ics?alarm=15&lang=ja",
    "/feeds/us/daemons-of-the-shadow-realm.ics?all_day=1&tz=America/Los_Angeles",
    "/feeds/jp/case-closed.ics",
    "/feeds/us/i-want-to-end-this-love-game.ics",
    "/feeds/us.ics",
]


@pytest.fixture(scope="module")
def feeds(make_module_app):
    """Every feed above, fetched once from apps on the bundled and the fixture schedules, and
    on the bundled ones with the imported catalogue."""
    from datetime import datetime, timezone

    from tests.conftest import BUNDLED_SCHEDULES, fixed_clock
    found = {}
    april = fixed_clock(datetime(2026, 4, 6, tzinfo=timezone.utc))
    for where, schedules, paths, config in (
            ("bundled", BUNDLED_SCHEDULES, METALLIC_ROUGE_FEEDS + PARAMETER_FEEDS, {}),
            ("fixtures", FEED_FIXTURES, FIXTURE_FEEDS, {}),
            ("imported", BUNDLED_SCHEDULES, IMPORTED_FEEDS, {"IMPORT": 1, "CLOCK": april})):
        client = make_module_app(schedules, **config).test_client()
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text)
            found[(where, path)] = response.data
    return found


ALL_FEEDS = ([("bundled", p) for p in METALLIC_ROUGE_FEEDS + PARAMETER_FEEDS]
             + [("fixtures", p) for p in FIXTURE_FEEDS]
             + [("imported", p) for p in IMPORTED_FEEDS])


def body_of(feeds, where, path):
    return feeds[(where, path)]


@pytest.mark.parametrize(("where", "path"), ALL_FEEDS)
def test_every_parser_accepts_and_all_agree(feeds, where, path):
    body = body_of(feeds, where, path)
    results = {name: parse(body) for name, parse in PARSERS.items()}
    expected_count = body.count(b"BEGIN:VEVENT\r\n")
    for name, events in results.items():
        assert len(events) == expected_count, f"{name} saw {len(events)} of {expected_count}"
    reference = results["icalendar"]
    for name, events in results.items():
        assert events == reference, f"{name} disagrees with icalendar on {path}"


@pytest.mark.parametrize("region", ["jp", "us", "gb", "de", "br", "au"])
def test_parsers_agree_with_the_schedule(feeds, app, region):
    body = body_of(feeds, "bundled", f"/feeds/{region}/metallic-rouge.ics")
    with app.app_context():
        airings = select_airings(state.current().catalogue.airings["metallic-rouge"],
                                 region.upper())
    expected = {a.episode_uid(region): a.start.astimezone(__import__("datetime").timezone.utc)
                .strftime("%Y-%m-%dT%H:%M:%SZ") for a in airings}
    assert len(expected) == 13
    for name, parse in PARSERS.items():
        assert parse(body) == expected, name


@pytest.mark.parametrize(("where", "path"), ALL_FEEDS)
def test_bytes_follow_rfc5545(feeds, where, path):
    body = body_of(feeds, where, path)
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b""), "bare LF"
    assert b"\r" not in body.replace(b"\r\n", b""), "bare CR"
    for line in body.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")   # each physical line is whole UTF-8: folds fall between characters
    body.decode("utf-8")


def test_long_japanese_titles_fold_inside_their_lines(feeds):
    body = body_of(feeds, "fixtures", "/feeds/jp/escapes-and-long-japanese-titles.ics?lang=ja"
                                      "&alarm=30")
    folded = [line for line in body.split(b"\r\n") if line.startswith(b" ")]
    assert any(len(line) > 60 for line in folded), "the fixture must exercise folding"
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert summaries[0] == ("長いタイトルの試験放送、折り返しと文字化けの確認のための番組です #1: "
                            "第一話「とても長い日本語の題名は七十五オクテットで折り返されても文字が"
                            "壊れてはならない」")
    assert "🎌" in summaries[1] and "か゚" in summaries[1]


def test_text_escaping_survives_a_round_trip(feeds):
    body = body_of(feeds, "fixtures", "/feeds/jp/escapes-and-long-japanese-titles.ics")
    assert b"SUMMARY:Escapes\\, Folding\\; and \\\\ Backslashes #1: Comma\\, semicolon\\; " in body
    events = Calendar.from_ical(body).walk("VEVENT")
    assert str(events[0]["SUMMARY"]) == ("Escapes, Folding; and \\ Backslashes #1: Comma, "
                                         "semicolon; backslash \\ and a\nnewline")
    assert str(events[0]["LOCATION"]) == "Test TV, Channel 1; Tokyo"
    assert str(events[0]["URL"]) == "https://example.org/tv?a=1&b=2"


def test_titles_cannot_inject_events(feeds):
    body = body_of(feeds, "fixtures", "/feeds/jp/escapes-and-long-japanese-titles.ics")
    # The title's text appears, escaped inside SUMMARY, but never as a line of its own.
    assert body.count(b"\r\nBEGIN:VEVENT\r\n") == 4 and b"\r\nUID:injected" not in body
    assert b"\\nBEGIN:VEVENT\\nUID:injected@example.org" in body.replace(b"\r\n ", b"")
    for name, parse in PARSERS.items():
        assert "injected@example.org" not in parse(body), name


def test_descriptions_say_delayed_and_moved(feeds):
    body = body_of(feeds, "fixtures", "/feeds/jp/escapes-and-long-japanese-titles.ics")
    descriptions = [str(e["DESCRIPTION"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert "Delayed: a week was skipped before this episode." in descriptions[1]
    assert "This episode was moved from its regular slot." in descriptions[3]

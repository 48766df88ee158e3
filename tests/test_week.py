"""The week page over HTTP: seven days of a region's airings, by day, with breaks and countdowns."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta, timezone
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from calfeed.config import BUNDLED_SCHEDULES
from calfeed.render.week import countdown, listing_notation
from tests.conftest import SCHEDULE_FIXTURES, fixed_clock

UTC = timezone.utc
# Wednesday 2024-01-17, 14:00 UTC: episode 1 has aired everywhere; episode 2 airs on Fuji TV at
# 15:55 UTC (Thursday 00:55 in Tokyo) and on Crunchyroll at 18:25 UTC.
NOW = datetime(2024, 1, 17, 14, 0, tzinfo=UTC)


@pytest.fixture
def week_schedules(tmp_path):
    """Metallic Rouge plus two shows with skipped weeks: one broadcast in Japan, and one whose
    stream in the Americas follows a broadcast that skips."""
    folder = tmp_path / "week-schedules"
    folder.mkdir()
    shutil.copy(BUNDLED_SCHEDULES / "metallic-rouge.yaml", folder)
    for name in ("skip-shifts-later-episodes", "follows-inherits-skips-and-moves"):
        shutil.copy(SCHEDULE_FIXTURES / "valid" / f"{name}.yaml", folder)
    return folder


@pytest.fixture
def week_client(make_app, week_schedules, tmp_path):
    def make(now=NOW):
        return make_app(week_schedules, CLOCK=fixed_clock(now),
                        CALENDARS_PATH=str(tmp_path / "calendars.sqlite3")).test_client()
    return make


SKIP, FOLLOW = "skip-shifts-later-episodes", "follows-inherits-skips-and-moves"


def breaks_of(html: str) -> dict[str, str]:
    """The "Breaks this week" list: show id -> its line as read."""
    return {show: " ".join(unescape(re.sub(r"<[^>]+>", " ", line)).split())
            for show, line in re.findall(r'<li data-show="([^"]+)">(.*?)</li>', html, re.S)}


def items(html: str) -> list[dict]:
    """Each airing on the page: its day heading, data, and the text of its parts."""
    found = []
    for section in re.findall(r'<section class="day".*?</section>', html, re.S):
        heading = unescape(re.search(r"<h2[^>]*>(.*?)</h2>", section).group(1))
        for item in re.findall(r'<li class="airing"(.*?)</li>', section, re.S):
            text = {name: " ".join(unescape(re.sub(r"<[^>]+>", " ", value)).split())
                    for name, value in re.findall(r'<(?:span|time) class="(\w+)[^"]*"[^>]*>'
                                                  r'(.*?)</(?:span|time)>\s*(?=<span class="(?:'
                                                  r'what|where|status|add)|$)', item, re.S)
                    if name != "add"}       # the "+ My calendar" button (test_add_to_calendar)
            found.append({"day": heading, "show": re.search(r'data-show="([^"]+)"', item)[1],
                          "start": re.search(r'data-start="([^"]+)"', item)[1], **text})
    return found


def test_japan_week_lists_the_broadcast_in_tokyo_time_with_its_listing_notation(week_client):
    page = week_client().get("/week?region=jp&from=2024-01-08")
    assert page.status_code == 200
    rouge = [i for i in items(page.text) if i["show"] == "metallic-rouge"]
    # Episode 1: Fuji TV +Ultra, "Wednesday 24:55", which is Thursday 00:55 in Tokyo.
    assert rouge == [{"day": "Thursday, January 11", "show": "metallic-rouge",
                      "start": "2024-01-10T15:55:00Z", "at": "00:55 JST",
                      "what": "Metallic Rouge #1 Crimson Is the Sound of Dawn",
                      "where": "Fuji TV +Ultra (Japanese listing: Wed 24:55)", "status": "aired"}]
    headings = re.findall(r'<section class="day".*?<h2[^>]*>(.*?)</h2>', page.text, re.S)
    assert headings == ["Monday, January 8", "Tuesday, January 9", "Wednesday, January 10",
                        "Thursday, January 11", "Friday, January 12", "Saturday, January 13",
                        "Sunday, January 14"]
    assert "Times in Asia/Tokyo." in page.text


def test_us_week_shows_crunchyroll_in_new_york_time_and_a_countdown(week_client):
    page = week_client().get("/week?region=us&from=2024-01-15")
    rouge = [i for i in items(page.text) if i["show"] == "metallic-rouge"]
    # 18:25 UTC is 13:25 in New York; at 14:00 UTC that is 4 h 25 min away.
    assert rouge == [{"day": "Wednesday, January 17", "show": "metallic-rouge",
                      "start": "2024-01-17T18:25:00Z", "at": "13:25 EST",
                      "what": "Metallic Rouge #2 Wander in the Labyrinth",
                      "where": "Crunchyroll", "status": "in 4 h 25 min"}]


@pytest.mark.parametrize(("now", "status"), [
    (datetime(2024, 1, 17, 18, 24, 30, tzinfo=UTC), "in 1 min"),
    (datetime(2024, 1, 17, 18, 25, tzinfo=UTC), "on now"),
    (datetime(2024, 1, 17, 18, 54, 59, tzinfo=UTC), "on now"),
    (datetime(2024, 1, 17, 18, 55, tzinfo=UTC), "aired"),
])
def test_status_follows_the_clock(week_client, now, status):
    page = week_client(now).get("/week?region=us&from=2024-01-15")
    (rouge,) = [i for i in items(page.text) if i["show"] == "metallic-rouge"]
    assert rouge["status"] == status


@pytest.mark.parametrize(("now", "region", "first"), [
    # 20:00 UTC on Wednesday the 17th is already Thursday the 18th in Tokyo.
    (datetime(2024, 1, 17, 20, 0, tzinfo=UTC), "jp", "Thursday, January 18"),
    (datetime(2024, 1, 17, 20, 0, tzinfo=UTC), "us", "Wednesday, January 17"),
    # 03:00 UTC on the 18th is still the 17th in New York (22:00 EST).
    (datetime(2024, 1, 18, 3, 0, tzinfo=UTC), "us", "Wednesday, January 17"),
])
def test_default_week_starts_today_in_the_regions_zone(week_client, now, region, first):
    page = week_client(now).get(f"/week?region={region}")
    assert re.search(r'<section class="day".*?<h2[^>]*>(.*?)</h2>', page.text, re.S)[1] == first


def test_a_zone_named_cuts_the_days_at_its_midnights(week_client):
    """tz= (the page's script adds the browser's): 03:00 UTC on the 18th is still the 17th in
    Los Angeles, and the US stream at 18:25 UTC is 10:25 there."""
    page = week_client(datetime(2024, 1, 18, 3, 0, tzinfo=UTC)).get(
        "/week?region=us&tz=America/Los_Angeles")
    assert re.search(r'<section class="day".*?<h2[^>]*>(.*?)</h2>', page.text, re.S)[1] == \
        "Wednesday, January 17"
    assert 'data-week-zone="America/Los_Angeles"' in page.text
    assert 'data-week-begin="2024-01-17T08:00:00Z"' in page.text
    (rouge,) = [i for i in items(week_client().get(
        "/week?region=us&from=2024-01-15&tz=America/Los_Angeles").text)
        if i["show"] == "metallic-rouge"]
    assert (rouge["day"], rouge["at"]) == ("Wednesday, January 17", "10:25 PST")
    wrong = week_client().get("/week?region=us&tz=America/Los_Angels")
    assert wrong.status_code == 400 and "America/Los_Angeles" in unescape(wrong.text)


def test_previous_and_next_week_links(week_client):
    page = week_client().get("/week?region=jp&from=2024-01-08&release=fod")
    links = {rel: unescape(href)
             for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]+)"', page.text)}
    assert links == {"prev": "/week?region=jp&release=fod&from=2024-01-01",
                     "next": "/week?region=jp&release=fod&from=2024-01-15"}
    # A past season can be browsed week by week, to the last episode and past it.
    last = week_client().get("/week?region=jp&from=2024-04-01")
    assert [i["what"] for i in items(last.text) if i["show"] == "metallic-rouge"] == \
        ["Metallic Rouge #13 Code Eve"]
    after = week_client().get("/week?region=jp&from=2024-04-08")
    assert "metallic-rouge" not in after.text.split('class="week"')[1]


def test_one_platform(week_client):
    client = week_client()
    everything = items(client.get("/week?region=jp&from=2024-01-08").text)
    fod = items(client.get("/week?region=jp&from=2024-01-08&release=fod").text)
    assert [i["where"] for i in everything if i["show"] == "metallic-rouge"] == \
        ["Fuji TV +Ultra (Japanese listing: Wed 24:55)"]
    # FOD streams at noon on Thursday: no listing notation, it is not a broadcast.
    assert [(i["show"], i["at"], i["where"]) for i in fod] == \
        [("metallic-rouge", "12:00 JST", "FOD")]
    page = client.get("/week?region=jp&from=2024-01-08&release=fod").text
    assert '<option value="fod" selected>FOD</option>' in page


def test_break_week_from_the_schedules_skip(week_client):
    # Skip Test airs Wednesdays 24:55 in Tokyo and skips the broadcast day 2024-01-24.
    page = week_client().get("/week?region=jp&from=2024-01-22").text
    assert SKIP not in [i["show"] for i in items(page)]
    assert breaks_of(page) == {SKIP: "Skip Test : no episode this week "
                                     "(Test TV skips Wednesday, January 24)"}
    # The weeks either side list its episodes, and no break.
    for before_after, episode in (("2024-01-15", "#2"), ("2024-01-29", "#3")):
        around = week_client().get(f"/week?region=jp&from={before_after}").text
        assert [i["what"] for i in items(around) if i["show"] == SKIP] == \
            [f"Skip Test {episode}"]
        assert SKIP not in breaks_of(around)


def test_break_week_of_a_stream_that_follows_a_skipping_broadcast(week_client):
    # Follow Test's stream in the Americas follows a broadcast that skips 2024-01-17.
    page = week_client().get("/week?region=us&from=2024-01-15").text
    assert breaks_of(page) == {FOLLOW: "Follow Test : no episode this week "
                                       "(Stream skips Wednesday, January 17)"}


def test_no_break_after_the_last_episode(week_client):
    page = week_client().get("/week?region=jp&from=2024-02-05").text
    # Skip Test's four episodes ended on 2024-02-07 (Thursday 00:55 in Tokyo is the 8th).
    assert SKIP not in breaks_of(week_client().get("/week?region=jp&from=2024-02-12").text)
    assert [i["what"] for i in items(page) if i["show"] == SKIP] == ["Skip Test #4"]


def test_week_across_a_clock_change_keeps_the_utc_instant(week_client):
    # New York moves to EDT on 2024-03-10; Crunchyroll follows the Tokyo broadcast in UTC, so
    # 18:25 UTC is 14:25 local after the change, 13:25 before.
    page = week_client().get("/week?region=us&from=2024-03-04").text
    after = week_client().get("/week?region=us&from=2024-03-11").text
    zone = ZoneInfo("America/New_York")
    for html, start in ((page, datetime(2024, 3, 6, 18, 25, tzinfo=UTC)),
                        (after, datetime(2024, 3, 13, 18, 25, tzinfo=UTC))):
        (rouge,) = [i for i in items(html) if i["show"] == "metallic-rouge"]
        assert rouge["at"] == start.astimezone(zone).strftime("%H:%M %Z")
    assert [i["at"] for i in items(after) if i["show"] == "metallic-rouge"] == ["14:25 EDT"]


@pytest.mark.parametrize(("query", "status", "parameter", "message"), [
    ("region=jp&from=2024-13-01", 400, "from", "from '2024-13-01' is not a date"),
    ("region=jp&from=20240108", 400, "from", "from '20240108' is not a date"),
    ("region=jp&from=2024-W02-1", 400, "from", "is not a date"),
    ("region=jp&from=0999-01-01", 400, "from", "out of range"),
    # The feeds' and the API's own message for the same mistake (one parser for `release`).
    ("region=us&release=fod", 400, "release", "release 'fod' cannot be watched in United "
                                               "States: releases here are crunchyroll"),
    ("region=jp&release=fod,fuji-tv-ultra", 400, "release", "one platform at a time"),
    ("region=jp&calendar=abc", 400, "calendar", "unknown parameter 'calendar'"),
    ("region=zz", 404, "region", "zz"),
])
def test_bad_parameters_are_named(week_client, query, status, parameter, message):
    page = week_client().get(f"/week?{query}")
    assert page.status_code == status
    assert message in unescape(page.text)


def test_week_page_headers(week_client):
    page = week_client().get("/week?region=jp&from=2024-01-08")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["ETag"] and "Accept-Language" in page.headers["Vary"]
    assert "<script>" not in page.text and " on" + "click=" not in page.text


def test_every_page_template_is_free_of_inline_script():
    # The CSP forbids inline code; a template with any would break silently in browsers.
    templates = BUNDLED_SCHEDULES.parent / "calfeed" / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name


@pytest.mark.parametrize(("start", "now", "text"), [
    (datetime(2024, 1, 17, 18, 25, tzinfo=UTC), datetime(2024, 1, 17, 15, 5, tzinfo=UTC),
     "in 3 h 20 min"),
    (datetime(2024, 1, 17, 18, 25, tzinfo=UTC), datetime(2024, 1, 15, 14, 25, tzinfo=UTC),
     "in 2 d 4 h"),
    (datetime(2024, 1, 17, 18, 25, tzinfo=UTC), datetime(2024, 1, 17, 17, 40, tzinfo=UTC),
     "in 45 min"),
    (datetime(2024, 1, 17, 18, 25, tzinfo=UTC), datetime(2024, 1, 17, 18, 24, 59, tzinfo=UTC),
     "in 1 min"),
    (datetime(2024, 1, 17, 18, 25, tzinfo=UTC), datetime(2024, 1, 17, 17, 25, tzinfo=UTC),
     "in 1 h 0 min"),
])
def test_countdown_words(start, now, text):
    assert countdown(start, now) == text


def test_listing_notation_from_zoneinfo(shows):
    from calfeed.schedule.expand import expand_show
    from calfeed.schedule.show_file import load_show
    rouge = load_show(BUNDLED_SCHEDULES / "metallic-rouge.yaml")
    by_release = {}
    for airing in expand_show(rouge):
        by_release.setdefault(airing.release.id, []).append(airing)
    tokyo = ZoneInfo("Asia/Tokyo")
    for airing in by_release["fuji-tv-ultra"]:
        local = airing.start_utc.astimezone(tokyo)
        # Every episode is Thursday 00:55 in Tokyo: the listing's Wednesday 24:55.
        assert (local.strftime("%a %H:%M"), listing_notation(airing)) == \
            ("Thu 00:55", "Wed 24:55")
        assert (local - timedelta(days=1)).date().weekday() == 2
    # Streams are not listed that way, nor are broadcasts outside Japan.
    assert {listing_notation(a) for a in by_release["fod"] + by_release["crunchyroll"]} == {None}
    assert listing_notation(expand_show(shows.new_york_wall_time_across_dst)[0]) is None


def test_listing_notation_keeps_evening_hours(shows):
    from calfeed.schedule.expand import expand_show
    from dataclasses import replace
    show = shows.skip_shifts_later_episodes
    from calfeed.schedule.wallclock import WallTime
    evening = replace(show, releases=(replace(show.releases[0],
                                              start=WallTime(date(2024, 1, 6), 17, 30)),))
    first = expand_show(evening)[0]
    assert listing_notation(first) == "Sat 17:30"
    early = replace(show, releases=(replace(show.releases[0],
                                            start=WallTime(date(2024, 1, 6), 28, 59)),))
    assert listing_notation(expand_show(early)[0]) == "Sat 28:59"
    morning = replace(show, releases=(replace(show.releases[0],
                                              start=WallTime(date(2024, 1, 7), 5, 0)),))
    assert listing_notation(expand_show(morning)[0]) == "Sun 05:00"


def test_week_lists_what_the_region_feed_selects(make_app, tmp_path):
    """Over a synthetic catalogue (follows, skips, moves, streams in many regions): each week's
    items are exactly the region feed's earliest airings in that week, and per platform the
    platform's airings."""
    from calfeed.render.week import week
    from calfeed.schedule.regions import country
    from calfeed.schedule.synthetic import write_synthetic
    from calfeed.web import state
    write_synthetic(40, tmp_path / "synthetic")
    app = make_app(tmp_path / "synthetic", CALENDARS_PATH=str(tmp_path / "c.sqlite3"))
    with app.app_context():
        published = state.current()
        for code in ("JP", "US", "GB", "BR", "AU"):
            region = country(code)
            shows = tuple(s.id for s in published.catalogue.shows_in(code))
            feed = published.selection(code, shows, None, False)
            for weeks in range(0, 150, 7):
                start = date(2024, 1, 1) + timedelta(weeks=weeks)
                shown = week(published, region, start, NOW)
                zone = ZoneInfo(region.display_zone)
                # An episode known by its date (the long runner) is listed without a number.
                expected = [(a.show.id, None if a.episode.aired else a.episode.number,
                             a.release.id) for a in feed
                            if a.start_utc.astimezone(zone).date() - start < timedelta(days=7)
                            and a.start_utc.astimezone(zone).date() >= start]
                got = [(i.show_id, i.episode, i.release_id) for d in shown.days for i in d.items]
                assert sorted(got) == sorted(expected), (code, start)
            release = shown.platforms[0][0]
            only = published.selection(code, shows, frozenset({release}), False)
            start = min(a.start_utc for a in only).astimezone(ZoneInfo(region.display_zone)).date()
            shown = week(published, region, start, NOW, release)
            assert {i.release_id for d in shown.days for i in d.items} == {release}
            assert sum(len(d.items) for d in shown.days) == len(
                [a for a in only if a.start_utc < datetime.fromisoformat(shown.end_utc)])


def test_week_over_imported_shows_lists_what_the_region_feed_selects(make_app, tmp_path):
    """Imported shows are not expanded at load: the week makes their airings by arithmetic
    (a release's bounds, then its slots near the window; an episode's other releases placed
    before or after the week without zoneinfo where a day's margin decides). Each week's items
    are still exactly the region feed's earliest airings that week, made from whole expansions:
    streams decades after the broadcast, a start copied from the broadcast (ties go to the
    release id), daily and fortnightly cadences, an open-ended long runner."""
    from calfeed.render.week import week
    from calfeed.schedule.regions import country
    from calfeed.web import state
    from tests.test_catalogue_serving import dataset, item
    meta = {"bangumi": {"urlTemplate": "https://bangumi.tv/subject/{{id}}", "type": "info"},
            **{site: {"urlTemplate": f"https://{site}.example/{{{{id}}}}", "type": "onair"}
               for site in ("crunchyroll", "unext", "bilibili", "netflix")}}

    def on(site, begin, broadcast=None):
        return {"site": site, "id": "1", "begin": begin,
                **({"broadcast": broadcast} if broadcast else {})}

    items = [
        # Streamed on U-NEXT ten weeks behind Japan's broadcast; bilibili added it after it
        # ended (a catalogue addition: a link, no release).
        item("むかし", "Old", "11", "2023-10-04T15:00:00.000Z", "2024-03-27T15:00:00.000Z",
             sites=[on("unext", "2023-12-13T03:00:00.000Z"),
                    on("bilibili", "2024-06-01T12:00:00.000Z")]),
        item("いま", "Now", "12", "2024-01-03T15:30:00.000Z", "2024-03-27T15:30:00.000Z",
             sites=[on("crunchyroll", "2024-01-03T15:30:00.000Z"),
                    on("netflix", "2024-01-10T08:00:00.000Z"),
                    on("bilibili", "2024-01-03T15:30:00.000Z")]),
        item("まいにち", "Daily", "13", "2024-01-05T10:00:00.000Z", "2024-02-10T10:00:00.000Z",
             broadcast="R/2024-01-05T10:00:00.000Z/P1D",
             sites=[on("crunchyroll", "2024-01-06T09:00:00.000Z")]),
        item("ながい", "", "14", "2019-01-06T01:00:00.000Z",
             sites=[on("netflix", "2023-12-31T23:30:00.000Z")]),
        item("にしゅう", "Fortnight", "15", "2023-12-20T12:00:00.000Z",
             "2024-03-13T12:00:00.000Z", broadcast="R/2023-12-20T12:00:00.000Z/P14D",
             sites=[on("crunchyroll", "2023-12-27T12:00:00.000Z")]),
    ]
    folder = tmp_path / "bangumi-data"
    dataset(folder, items=items)
    import json
    data = json.loads((folder / "dist" / "data.json").read_text())
    (folder / "dist" / "data.json").write_text(json.dumps({**data, "siteMeta": meta}))
    app = make_app(IMPORT=1, IMPORT_PATH=str(folder), CALENDARS_PATH=str(tmp_path / "c.sqlite3"))
    with app.app_context():
        published = state.current()
        assert len(published.catalogue.imported) == 5
        checked = 0
        for code in ("JP", "US", "CN", "GB"):
            region = country(code)
            zone = ZoneInfo(region.display_zone)
            shows = tuple(s.id for s in published.catalogue.shows_in(code))
            feed = published.selection(code, shows, None, False)
            for weeks in range(-2, 12):
                start = date(2024, 1, 1) + timedelta(weeks=weeks, days=weeks % 3)
                shown = week(published, region, start, NOW)
                # An episode known by its date (the long runner) is listed without a number.
                expected = [(a.show.id, None if a.episode.aired else a.episode.number,
                             a.release.id) for a in feed
                            if timedelta(0) <= a.start_utc.astimezone(zone).date() - start
                            < timedelta(days=7)]
                got = [(i.show_id, i.episode, i.release_id) for d in shown.days for i in d.items]
                assert sorted(got) == sorted(expected), (code, start)
                checked += len(got)
            for release, _ in shown.platforms:
                only = published.selection(code, shows, frozenset({release}), False)
                start = date(2024, 1, 8)
                shown = week(published, region, start, NOW, release)
                assert sorted((i.show_id, i.episode) for d in shown.days for i in d.items) == \
                    sorted((a.show.id, None if a.episode.aired else a.episode.number)
                           for a in only if timedelta(0) <=
                           a.start_utc.astimezone(zone).date() - start < timedelta(days=7))
        # The old show's U-NEXT stream airs in January episodes Japan saw on television in
        # October: listed on U-NEXT's own week, never as the first airing.
        assert checked > 100
        listed = {release: [(i.show_id, i.episode) for d in week(
            published, country("JP"), date(2024, 1, 8), NOW, release).days for i in d.items]
            for release in (None, "unext")}
        assert ("old", 5) in listed["unext"] and ("old", 5) not in listed[None]
        assert ("old", 15) in listed[None]

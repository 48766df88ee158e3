"""The week page and my-calendar marks in Chromium: local times per zone, countdowns, filters."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from calfeed.config import BUNDLED_SCHEDULES
from tests.browser import Visit, live_server
from tests.conftest import SCHEDULE_FIXTURES, fixed_clock

UTC = timezone.utc
# As in test_week.py: Wednesday 2024-01-17, 14:00 UTC, between episodes 2's Tokyo broadcast
# (15:55 UTC) and its Crunchyroll stream (18:25 UTC) is still ahead.
NOW = datetime(2024, 1, 17, 14, 0, tzinfo=UTC)
CRUNCHYROLL_EPISODE_2 = datetime(2024, 1, 17, 18, 25, tzinfo=UTC)
US_WEEK = "/week?region=us&from=2024-01-15"


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_module_app):
    folder = tmp_path_factory.mktemp("week") / "schedules"
    folder.mkdir()
    shutil.copy(BUNDLED_SCHEDULES / "metallic-rouge.yaml", folder)
    # Its stream in the Americas follows a Tokyo broadcast that skips 2024-01-17.
    shutil.copy(SCHEDULE_FIXTURES / "valid" / "follows-inherits-skips-and-moves.yaml", folder)
    calendars = tmp_path_factory.mktemp("calendars") / "calendars.sqlite3"
    app = make_module_app(folder, CLOCK=fixed_clock(NOW), CALENDARS_PATH=str(calendars),
                          TESTING=False)
    with live_server(app) as base:
        yield base


@pytest.fixture
def visit(browser, site):
    opened = []

    def make(**options):
        options.setdefault("now", NOW)
        opened.append(Visit(browser, site, **options))
        return opened[-1]
    yield make
    for one in opened:
        one.close()


def airing(page, show):
    """The item of a show on the week page, and the heading of the day it is listed under."""
    item = page.locator(f"li.airing[data-show='{show}']")
    day = item.locator("xpath=ancestor::section[1]/h2").inner_text()
    return item, day


@pytest.mark.parametrize(("zone", "locale"), [
    ("America/Los_Angeles", "en-US"), ("Europe/London", "en-GB"), ("Asia/Tokyo", "en-US"),
    ("Australia/Sydney", "en-AU")])
def test_week_shows_the_airing_at_its_local_time_in_each_zone(visit, zone, locale):
    page = visit(zone=zone, locale=locale).open(US_WEEK)
    local = CRUNCHYROLL_EPISODE_2.astimezone(ZoneInfo(zone))
    item, day = airing(page, "metallic-rouge")
    assert item.locator("time").inner_text().startswith(f"{local:%H:%M}")
    # The day it is listed under is the day in the browser's zone (Thursday in Tokyo and
    # Sydney), named in the browser's language.
    assert day == page.evaluate(
        "([at, zone, locale]) => new Intl.DateTimeFormat(locale, {timeZone: zone, "
        "weekday: 'long', month: 'long', day: 'numeric'}).format(new Date(at))",
        [CRUNCHYROLL_EPISODE_2.isoformat(), zone, locale])
    assert f"{local:%A}" in day and str(local.day) in day
    assert page.locator("[data-zone-note]").inner_text() == f"Times in your time zone, {zone}."


def test_without_script_times_are_in_the_regions_zone(visit):
    page = visit(zone="Asia/Tokyo", locale="en-US", javascript=False, now=None).open(US_WEEK)
    item, day = airing(page, "metallic-rouge")
    assert (item.locator("time").inner_text(), day) == ("13:25 EST", "Wednesday, January 17")


def test_countdown_runs_to_on_now_and_aired(visit):
    session = visit(zone="America/New_York", locale="en-US")
    page = session.open(US_WEEK)
    status = page.locator("li.airing[data-show='metallic-rouge'] .status")
    assert status.inner_text() == "in 4 h 25 min"
    session.page.clock.run_for("04:00:00")
    assert status.inner_text() == "in 25 min"
    session.page.clock.run_for("00:25:30")
    assert status.inner_text() == "on now"
    session.page.clock.run_for("00:30:00")
    assert status.inner_text() == "aired"


def test_japanese_listing_notation_and_break_week(visit):
    session = visit(zone="Asia/Tokyo", locale="ja-JP")
    page = session.open("/week?region=jp&from=2024-01-15&lang=en")
    item, _ = airing(page, "metallic-rouge")
    assert "(Japanese listing: Wed 24:55)" in item.locator(".where").inner_text()
    assert item.locator("time").inner_text().startswith("00:55")
    assert page.locator(".breaks li").all_inner_texts() == [
        "Follow Test: no episode this week (Test TV skips Wednesday, January 17)"]
    # A Japanese browser gets the page in Japanese, the script's words included.
    page = session.open("/week?region=jp&from=2024-01-15")
    item, _ = airing(page, "metallic-rouge")
    assert "（番組表の表記：水 24:55）" in item.locator(".where").inner_text()
    assert re.fullmatch(r"あと\d+(日\d+時間|時間\d+分|分)",
                        item.locator("[data-countdown]").inner_text())
    assert page.locator("[data-zone-note]").inner_text() == \
        "時刻はお使いのタイムゾーン（Asia/Tokyo）のものです。"
    assert page.locator(".breaks li").all_inner_texts() == [
        "Follow Test：今週は放送・配信がありません（Test TVは1月17日水曜日を休止）"]


def make_calendar(page, shows):
    """Tick shows on the new-calendar form and send it; returns the edit page's address."""
    for show in shows:
        page.check(f"#show-{show}")
    with page.expect_navigation():
        page.get_by_role("button", name="Make my calendar").click()
    return page.url.split("?")[0]


def delete_calendar(page, edit):
    """From the edit page: the link, then the confirmation's button."""
    page.goto(edit, wait_until="networkidle")
    with page.expect_navigation():
        page.get_by_role("link", name="Delete this calendar…").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Delete this calendar").click()


def test_marks_and_only_my_calendar(visit, site):
    session = visit(zone="America/New_York", locale="en-US")
    page = session.open("/calendars/new?region=us")
    edit = make_calendar(page, ["metallic-rouge"])
    stored = page.evaluate("JSON.parse(localStorage.getItem('calfeed.calendar'))")
    feed = page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed")
    assert stored == {"feed": feed, "edit": edit, "shows": ["metallic-rouge"], "region": "US"}

    page.goto(site + "/week?region=us&from=2024-01-08", wait_until="networkidle")
    rouge = page.locator("li.airing[data-show='metallic-rouge']")
    other = page.locator("li.airing[data-show='follows-inherits-skips-and-moves']")
    assert rouge.locator(".mine").inner_text() == "In my calendar"
    assert other.locator(".mine").count() == 0 and other.is_visible()
    page.check("#only-mine")
    assert rouge.is_visible() and not other.is_visible()
    assert page.url.endswith("#mine")
    assert page.locator("a[rel=next]").get_attribute("href").endswith("#mine")
    page.reload(wait_until="networkidle")
    assert page.locator("#only-mine").is_checked() and not other.is_visible()

    page.goto(site + "/shows/metallic-rouge?region=us", wait_until="networkidle")
    mark = page.locator("[data-my-calendar-mark]")
    assert mark.inner_text() == "In my calendar change my calendar"
    assert mark.locator("a").get_attribute("href") == edit
    page.goto(site + "/shows/follows-inherits-skips-and-moves?region=us",
              wait_until="networkidle")
    assert not page.locator("[data-my-calendar-mark]").is_visible()

    # Deleting forgets it: no marks, no filter.
    delete_calendar(page, edit)
    assert page.evaluate("localStorage.getItem('calfeed.calendar')") is None
    page.goto(site + "/week?region=us&from=2024-01-08", wait_until="networkidle")
    assert page.locator(".mine").count() == 0
    assert not page.locator("[data-mine-filter]").is_visible()
    # Nothing of the calendar went to the server outside its own pages' addresses.
    feed_id = feed.rsplit("/", 1)[1].removesuffix(".ics")
    edit_key = edit.rsplit("/", 1)[1]
    outside = [url for url in session.requests if not url.startswith(site + "/calendars")]
    assert not [url for url in outside if feed_id in url or edit_key in url]


def test_no_horizontal_scroll_on_a_phone(visit):
    page = visit(zone="Asia/Tokyo", locale="en-US", width=390).open(
        "/week?region=jp&from=2024-01-08")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert re.fullmatch(r"\d\d:\d\d \S+", page.locator("li.airing time").first.inner_text())


def test_the_week_is_cut_at_the_viewers_midnights(visit):
    """The US week is New York's: midnight there is 21:00 the evening before in Los Angeles,
    which cut the week into "Sunday, January 14 (from 21:00)" ... "(until 21:00)". The script
    asks for the week in the browser's zone (tz=), so whole days from Los Angeles' midnight."""
    page = visit(zone="America/Los_Angeles", locale="en-US").open(US_WEEK)
    assert "tz=America%2FLos_Angeles" in page.url or "tz=America/Los_Angeles" in page.url
    headings = page.locator("[data-week] h2").all_inner_texts()
    assert headings == [f"{day}, January {n}" for day, n in (
        ("Monday", 15), ("Tuesday", 16), ("Wednesday", 17), ("Thursday", 18), ("Friday", 19),
        ("Saturday", 20), ("Sunday", 21))]
    # Other weeks keep the zone.
    assert "tz=America" in page.locator(".week-nav a[rel=next]").get_attribute("href")


def test_a_link_naming_another_zone_is_regrouped_by_the_browsers_days(visit):
    # A shared link in New York's zone, opened in Los Angeles: the days partly in the week
    # say from or until when.
    page = visit(zone="America/Los_Angeles", locale="en-US").open(
        US_WEEK + "&tz=America/New_York")
    headings = page.locator("[data-week] h2").all_inner_texts()
    assert headings[0] == "Sunday, January 14 (from 21:00)"
    assert headings[-1] == "Sunday, January 21 (until 21:00)"


def events(body: str) -> dict[str, tuple[str, int]]:
    """A feed's events: UID -> (SUMMARY, SEQUENCE)."""
    found = {}
    for event in body.split("BEGIN:VEVENT")[1:]:
        fields = dict(re.findall(r"^([A-Z-]+)[^:\r\n]*:(.*?)\r?$", event.replace("\r\n ", ""),
                                 re.M))
        found[fields["UID"]] = (fields["SUMMARY"], int(fields["SEQUENCE"]))
    return found


def test_my_calendar_end_to_end(visit, site):
    """Search, add two shows, subscribe, fetch the feed, edit through the edit link, the same
    feed URL changes, delete -> 410, as a person in London would."""
    session = visit(zone="Europe/London", locale="en-GB")
    page = session.open("/search?region=gb")
    page.fill("input[name=q]", "metallic")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with page.expect_navigation():
        page.locator("ul.results a", has_text="Metallic Rouge").click()
    assert "/shows/metallic-rouge" in page.url
    # No calendar yet: the button picks the show, and the form opens with it ticked.
    page.locator("button.add-button").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Make my calendar (1 show)").click()
    # The form opens with the show ticked; the second show is ticked there too.
    assert page.is_checked("#show-metallic-rouge")
    page.check("#show-follows-inherits-skips-and-moves")
    page.select_option("#cal-alarm", "15")
    edit = make_calendar(page, [])
    feed = page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed")
    assert re.fullmatch(re.escape(site) + r"/feeds/my/[A-Za-z0-9_-]{22,}\.ics", feed)

    first = page.request.get(feed)
    assert first.status == 200 and first.headers["content-type"].startswith("text/calendar")
    before = events(first.text())
    assert len([uid for uid in before if uid.startswith("bgm425595-")]) == 13
    assert len([uid for uid in before if uid.startswith("follows-inherits")]) == 4
    assert first.text().count("TRIGGER:-PT15M") == 17

    # Later, through the bookmarked edit link: drop the second show.
    page.goto(edit, wait_until="networkidle")
    page.uncheck("#show-follows-inherits-skips-and-moves")
    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()
    assert page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed") == feed
    assert page.locator("[data-saved]").is_visible()
    after = events(page.request.get(feed).text())
    assert set(after) == {uid for uid in before if uid.startswith("bgm425595-")}
    # The same events, unchanged: calendar apps see no edit of them.
    assert all(after[uid] == before[uid] for uid in after)

    delete_calendar(page, edit)
    gone = page.request.get(feed)
    assert gone.status == 410 and gone.text().strip()
    assert page.request.get(edit).status == 410

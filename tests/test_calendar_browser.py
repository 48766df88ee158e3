"""My calendar in Chromium with the whole imported catalogue, as a person clicks it: make one in
Japan by filtering the form, add from a show page in one step (and undo), picks before a
calendar exists, subscribe from the calendar's page; at 390 and 1280 px, light and dark, each
page checked by axe-core and photographed."""

from __future__ import annotations

import re

import pytest

from tests.browser import PAGE_NOW, Visit
from tests.test_pages_browser import ARTIFACTS, axe_findings

FRIEREN = "frieren-beyond-journey-s-end"
ROUGE = "metallic-rouge"
SIZES = [pytest.param(width, scheme, id=f"{width}-{scheme}")
         for width in (390, 1280) for scheme in ("light", "dark")]


@pytest.fixture(scope="module")
def site(make_module_app):
    from tests.browser import live_server
    from tests.conftest import fixed_clock
    # Every test makes calendars from one address: more than an hour's default allows.
    app = make_module_app(IMPORT=1, CLOCK=fixed_clock(PAGE_NOW), TESTING=False,
                          CALENDAR_CREATIONS_PER_HOUR=1000)
    with live_server(app) as base:
        yield base


@pytest.fixture
def visit(browser, site):
    opened = []

    def make(width, scheme, **options):
        opened.append(Visit(browser, site, **{"zone": "Asia/Tokyo", "locale": "en-US",
                                              "width": width, "color_scheme": scheme,
                                              "now": PAGE_NOW, **options}))
        return opened[-1]
    yield make
    for one in opened:
        one.close()


def checked(page, name: str, width: int, scheme: str, *, script: bool = True) -> None:
    """axe-core clean, no sideways scroll on a phone, and a screenshot to look at. A page
    without script is checked in a second context with script, the same cookies and address
    (axe is a script; Playwright cannot run one where script is off)."""
    if script:
        assert axe_findings(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    else:
        context = page.context.browser.new_context(
            storage_state=page.context.storage_state(), viewport=page.viewport_size,
            color_scheme=scheme)
        try:
            twin = context.new_page()
            twin.goto(page.url, wait_until="networkidle")
            assert axe_findings(twin) == []
            assert twin.evaluate("document.documentElement.scrollWidth") <= width
        finally:
            context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"calendar-{name}-{width}-{scheme}.png"),
                    full_page=True)


def make_calendar_in_japan(page):
    """Filter the Japan form for Frieren, tick it, choose Netflix, send it; what was sent."""
    page.fill("#cal-q", "frieren")
    row = page.locator("li.choice", has=page.locator(f"#show-{FRIEREN}"))
    row.wait_for()
    page.check(f"#show-{FRIEREN}")
    page.select_option("select[aria-label^='Where to watch Frieren']", f"{FRIEREN}:netflix")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        with page.expect_navigation():
            page.get_by_role("button", name="Make my calendar").click()
    return posted.value.post_data


@pytest.mark.parametrize(("width", "scheme"), SIZES)
def test_a_person_in_japan_makes_a_calendar_by_filtering_the_form(visit, width, scheme):
    session = visit(width, scheme)
    page = session.open("/calendars/new?region=jp")
    checked(page, "new-jp", width, scheme)
    sent = make_calendar_in_japan(page)
    # The chosen show and its platform, not a menu of every show: a few hundred bytes.
    assert len(sent) < 300, sent
    assert f"show={FRIEREN}" in sent and "netflix" in sent
    assert page.get_by_text("Bookmark this page now.").is_visible()
    feed = page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed")
    body = page.request.get(feed).text()
    assert body.count("BEGIN:VEVENT") >= 10 and "LOCATION:Netflix" in body
    checked(page, "made-jp", width, scheme)


@pytest.mark.parametrize(("width", "scheme"), SIZES)
def test_add_from_a_show_page_to_my_calendar_in_one_step_and_undo(visit, site, width, scheme):
    session = visit(width, scheme)
    page = session.open("/calendars/new?region=jp")
    make_calendar_in_japan(page)
    edit = page.url.split("?")[0]
    feed = page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed")
    before = page.request.get(feed).text()

    page = session.open(f"/shows/{ROUGE}?region=jp&release=fod")
    button = page.locator("button.add-button")
    assert button.inner_text() == "+ My calendar"
    button.click()
    status = page.locator(".add-status")
    status.get_by_text("Added to My calendar").wait_for()
    assert button.inner_text() == "In my calendar"
    checked(page, "added", width, scheme)
    after = page.request.get(feed).text()
    assert after.count("LOCATION:FOD") == 13                # on the page's platform
    # Frieren's events are untouched: the same bytes as before the add.
    frieren = [event for event in re.findall(r"BEGIN:VEVENT.*?END:VEVENT", before, re.S)
               if "UID:bgm400602-" in event]
    assert frieren and all(event in after for event in frieren)

    status.get_by_role("button", name="Undo").click()
    status.get_by_text("Removed from My calendar").wait_for()
    assert button.inner_text() == "+ My calendar"
    assert "LOCATION:FOD" not in page.request.get(feed).text()
    # Added again, then removed with the button itself ("In my calendar" removes).
    button.click()
    status.get_by_text("Added to My calendar").wait_for()
    page.reload(wait_until="networkidle")
    assert page.locator("button.add-button").inner_text() == "In my calendar"
    page.locator("button.add-button").click()
    page.locator(".add-status").get_by_text("Removed from My calendar").wait_for()

    # The edit key never stood in a URL the pages asked for, but the edit page's own.
    key = edit.rsplit("/", 1)[1]
    assert not [url for url in session.requests if key in url and not url.startswith(edit)]


@pytest.mark.parametrize(("width", "scheme"), SIZES)
def test_picks_from_several_show_pages_open_the_form_with_all_ticked(visit, width, scheme):
    session = visit(width, scheme)
    for show in (ROUGE, FRIEREN):
        page = session.open(f"/shows/{show}?region=jp")
        page.locator("button.add-button").click()
        page.locator(".add-status").get_by_text("Picked for your calendar").wait_for()
        assert page.locator("button.add-button").inner_text() == "Picked"
    checked(page, "picked", width, scheme)
    with page.expect_navigation():
        page.get_by_role("link", name="Make my calendar (2 shows)").click()
    assert page.is_checked(f"#show-{ROUGE}") and page.is_checked(f"#show-{FRIEREN}")
    with page.expect_navigation():
        page.get_by_role("button", name="Make my calendar").click()
    assert page.get_by_text("Bookmark this page now.").is_visible()


@pytest.mark.parametrize(("width", "scheme"), SIZES)
def test_subscribe_from_the_calendar_page_and_edit_it(visit, site, width, scheme):
    session = visit(width, scheme)
    session.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = session.open("/calendars/new?region=jp")
    make_calendar_in_japan(page)
    feed = page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed")
    assert re.fullmatch(re.escape(site) + r"/feeds/my/[A-Za-z0-9_-]{22,}\.ics", feed)
    webcal = feed.replace("http://", "webcal://", 1)
    for app in ("apple", "outlook-desktop", "thunderbird"):
        assert page.locator(f"a[data-app={app}]").get_attribute("href") == webcal
    assert page.locator("a[data-app=google]").get_attribute("href") == \
        "https://calendar.google.com/calendar/r?cid=" + webcal
    assert page.locator("a[data-app=outlook-com]").get_attribute("href").startswith(
        "https://outlook.live.com/calendar/0/addfromweb?url=")
    assert page.locator("figure.qr svg").is_visible()
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == feed
    checked(page, "subscribe", width, scheme)

    page.select_option("#cal-alarm", "15")
    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()
    assert page.locator("[data-saved]").is_visible()
    assert page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed") == feed
    assert "TRIGGER:-PT15M" in page.request.get(feed).text()

    with page.expect_navigation():
        page.get_by_role("link", name="Delete this calendar…").click()
    checked(page, "delete", width, scheme)
    with page.expect_navigation():
        page.get_by_role("button", name="Delete this calendar").click()
    assert page.request.get(feed).status == 410


@pytest.mark.parametrize(("width", "scheme"), SIZES)
def test_without_script_the_filter_keeps_what_is_ticked_and_the_button_posts(visit, width,
                                                                              scheme):
    session = visit(width, scheme, javascript=False)
    page = session.open(f"/calendars/new?region=jp&show={ROUGE}")
    page.fill("#cal-q", "frieren")
    with page.expect_navigation():
        page.keyboard.press("Enter")                # the form's first button: Filter
    assert page.is_checked(f"#show-{ROUGE}")
    page.check(f"#show-{FRIEREN}")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    # Ticked, it now has its platform menu.
    page.select_option("select[aria-label^='Where to watch Frieren']", f"{FRIEREN}:netflix")
    checked(page, "filter-noscript", width, scheme, script=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Make my calendar").click()
    assert page.get_by_text("Bookmark this page now.").is_visible()

    page = session.open("/shows/the-apothecary-diaries?region=jp")
    with page.expect_navigation():
        page.locator("button.add-button").click()
    assert "Added The Apothecary Diaries to My calendar." in page.locator(".notice").inner_text()
    checked(page, "added-noscript", width, scheme, script=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Undo").click()
    assert "Removed The Apothecary Diaries from My calendar." in \
        page.locator(".notice").inner_text()


@pytest.mark.parametrize(("width", "scheme"), SIZES)
def test_add_from_the_week_and_from_search_results(visit, width, scheme):
    session = visit(width, scheme)
    page = session.open("/calendars/new?region=jp")
    make_calendar_in_japan(page)
    feed = page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed")

    page = session.open("/week?region=jp&from=2024-02-26")
    plus = page.locator(f"li.airing[data-show={ROUGE}] button.add-button").first
    plus.click()
    page.locator(".add-status").get_by_text("Added to My calendar").wait_for()
    # Every airing of the show says so; Frieren's were marked from the start.
    assert set(page.locator(f"li.airing[data-show={ROUGE}] button.add-button")
               .all_inner_texts()) == {"\u2713"}
    assert set(page.locator(f"li.airing[data-show={FRIEREN}] button.add-button")
               .all_inner_texts()) == {"\u2713"}
    checked(page, "week-added", width, scheme)
    assert "UID:bgm425595-" in page.request.get(feed).text()

    page = session.open("/search?region=jp")
    page.fill("input[name=q]", "apothecary")
    result = page.locator("ul.results li", has_text="The Apothecary Diaries").first
    result.locator("button.add-button").click()
    result.locator(".add-status").get_by_text("Added to My calendar").wait_for()
    assert result.locator("button.add-button").inner_text() == "In my calendar"
    checked(page, "search-added", width, scheme)
    assert "UID:bgm420628-" in page.request.get(feed).text()


@pytest.mark.parametrize(("width", "scheme"), SIZES)
def test_a_fan_in_tokyo_makes_adds_and_deletes_in_japanese(visit, width, scheme):
    """A Japanese browser: the form, its filter and menus, the calendar's page, the buttons in
    both states and delete, all in Japanese and fitting a phone."""
    session = visit(width, scheme, locale="ja-JP")
    page = session.open("/calendars/new?region=jp")
    assert page.locator("html").get_attribute("lang") == "ja"
    checked(page, "ja-new", width, scheme)
    page.fill("#cal-q", "フリーレン")
    page.locator("[data-found-heading]").get_by_text("「フリーレン」に一致").wait_for()
    # The rows the script adds (the sequel is not on air) as the page's own: the Japanese
    # title first, the English after it.
    for show in (FRIEREN, "sousou-no-furiiren-dai-2-ki"):
        label = page.locator(f"label[for=show-{show}]")
        assert label.inner_text().startswith("葬送のフリーレン"), show
        assert label.locator(".title-other").get_attribute("lang") == "en", show
    page.check(f"#show-{FRIEREN}")
    menu = page.locator(f"li.choice:has(#show-{FRIEREN}) select")
    assert menu.get_attribute("aria-label") == "葬送のフリーレンの視聴先"
    assert menu.locator("option").first.inner_text() == "最速"
    menu.select_option(f"{FRIEREN}:netflix")
    checked(page, "ja-filtered", width, scheme)
    with page.expect_navigation():
        page.get_by_role("button", name="マイカレンダーを作る").click()
    assert page.get_by_text("今すぐこのページをブックマークしてください。").is_visible()
    checked(page, "ja-made", width, scheme)

    page = session.open(f"/shows/{ROUGE}?region=jp")
    button = page.locator("button.add-button")
    assert button.inner_text() == "+ マイカレンダー"
    button.click()
    page.locator(".add-status").get_by_text("マイカレンダーに追加しました").wait_for()
    assert button.inner_text() == "マイカレンダーに追加済み"
    checked(page, "ja-added", width, scheme)

    page.go_back(wait_until="networkidle")
    page.reload(wait_until="networkidle")
    page.select_option("#cal-alarm", "15")
    with page.expect_navigation():
        page.get_by_role("button", name="変更を保存").click()
    assert page.get_by_text("保存しました。").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="このカレンダーを削除…").click()
    checked(page, "ja-delete", width, scheme)
    with page.expect_navigation():
        page.get_by_role("button", name="このカレンダーを削除").click()
    assert page.get_by_role("heading", name="カレンダーを削除しました").is_visible()
    checked(page, "ja-deleted", width, scheme)


def test_a_refused_add_says_why_in_the_pages_words(visit):
    """The button's answer to an error is the error page: its gist (Japanese here) and its
    English detail are shown, not its HTML."""
    session = visit(390, "light", locale="ja-JP")
    page = session.open("/calendars/new?region=us")
    page.check(f"#show-{ROUGE}")
    with page.expect_navigation():
        page.get_by_role("button", name="マイカレンダーを作る").click()
    page = session.open("/shows/sazae-san?region=jp")
    page.locator("button.add-button").click()
    status = page.locator(".add-status")
    status.get_by_text("理由（英語）：").wait_for()
    assert "cannot be watched in United States" in status.inner_text()
    assert "<" not in status.inner_text()
    # The browser logs the refusal it was given; nothing else went wrong.
    session.errors[:] = [e for e in session.errors if "status of 400" not in e]

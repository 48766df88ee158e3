"""The pages in a real browser: Debian's Chromium driven by Playwright, against a live server.

Each test watches every request and console message: nothing may leave 127.0.0.1 and no
error may be logged (a Content-Security-Policy violation would be one).
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser import PAGE_NOW, Visit

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def visit(browser, site):
    opened = []

    def make(**options):
        opened.append(Visit(browser, site, **options))
        return opened[-1]
    yield make
    for one in opened:
        one.close()


def rows(page):
    return page.locator("table.episodes tbody tr")


def cell(page, episode, column):
    return page.locator(f"tr[data-episode='{episode}'] td").nth(column).inner_text().strip()


def test_los_angeles_sees_crunchyroll_in_pacific_time(visit):
    page = visit(zone="America/Los_Angeles", locale="en-US").open(
        "/shows/metallic-rouge?region=us")
    assert rows(page).count() == 13
    assert {cell(page, n, 2) for n in range(1, 14)} == {"Crunchyroll"}
    assert cell(page, 1, 3) == "Wednesday, January 10, 2024 at 10:25 AM PST"
    assert cell(page, 10, 3) == "Wednesday, March 13, 2024 at 11:25 AM PDT"
    assert cell(page, 1, 4) == "aired" and cell(page, 13, 4) == "upcoming"
    assert page.locator("[data-zone-note]").inner_text() == \
        "Times in your time zone, America/Los_Angeles."


def test_tokyo_sees_the_fuji_tv_broadcast_thursday_0055(visit):
    page = visit(zone="Asia/Tokyo", locale="ja-JP").open("/shows/metallic-rouge?region=jp")
    assert rows(page).count() == 13
    assert cell(page, 1, 2) == "Fuji TV +Ultra"
    # Chromium's Japanese format: 2024年1月11日木曜日 0:55 JST (Thursday, January 11, 00:55).
    assert cell(page, 1, 3) == "2024年1月11日木曜日 0:55 JST"


def test_page_is_complete_without_javascript(visit):
    page = visit(zone="America/Los_Angeles", locale="en-US", javascript=False).open(
        "/shows/metallic-rouge?region=us")
    assert rows(page).count() == 13
    # Rendered by the server in the region's display zone (New York for the US).
    assert cell(page, 1, 3) == "Wednesday, January 10, 2024, 13:25 EST"
    assert page.locator("a[data-app=apple]").first.get_attribute("href").startswith("webcal://")


def expected_links(base, feed_path, query, name):
    https = f"{base}{feed_path}{query}"
    webcal = https.replace("http://", "webcal://", 1)
    return {
        "apple": webcal, "outlook-desktop": webcal, "thunderbird": webcal, "download": https,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=":/"),
        "outlook-com": ("https://outlook.live.com/calendar/0/addfromweb?url="
                        + quote(https, safe="") + "&name=" + quote(name, safe="").replace(
                            "%20", "+")),
    }


EN_NAMES = ("Metallic Rouge (United States)", "Anime in United States (calfeed)")
# Feeds in Japanese name themselves in Japanese (calfeed/locale), the links say the same names.
JA_NAMES = ("メタリックルージュ（アメリカ合衆国）", "アメリカ合衆国のアニメ（calfeed）")


@pytest.mark.parametrize(("alarm", "lang", "query", "names"), [
    ("", "en", "", EN_NAMES),
    ("15", "en", "?alarm=15", EN_NAMES),
    ("60", "en", "?alarm=60", EN_NAMES),
    ("", "ja", "?lang=ja", JA_NAMES),
    ("15", "ja", "?alarm=15&lang=ja", JA_NAMES),
    ("60", "ja", "?alarm=60&lang=ja", JA_NAMES),
])
def test_subscribe_links_follow_the_choices(visit, site, alarm, lang, query, names):
    page = visit(zone="America/Los_Angeles", locale="en-US").open(
        "/shows/metallic-rouge?region=us")
    # Choose as a person would; each choice reloads the page with new links.
    for field, value in (("alarm", alarm), ("lang", lang)):
        if page.locator(f"#{field}").input_value() != value:
            with page.expect_navigation():
                page.select_option(f"#{field}", value)
    show_panel, region_panel = page.locator("section.subscribe").all()
    links = {a.get_attribute("data-app"): a.get_attribute("href")
             for a in show_panel.locator("a[data-app]").all()}
    assert links == expected_links(site, "/feeds/us/metallic-rouge.ics", query, names[0])
    region_links = {a.get_attribute("data-app"): a.get_attribute("href")
                    for a in region_panel.locator("a[data-app]").all()}
    assert region_links == expected_links(site, "/feeds/us.ics", query, names[1])


def test_copy_button_puts_the_feed_url_on_the_clipboard(visit, site):
    session = visit(zone="America/Los_Angeles", locale="en-US")
    session.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = session.open("/shows/metallic-rouge?region=us&alarm=15")
    page.locator("section.subscribe").first.locator("button[data-copy]").click()
    page.locator("#copied-1", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == \
        f"{site}/feeds/us/metallic-rouge.ics?alarm=15"


def test_qr_code_decodes_to_the_webcal_url(visit, site):
    import zxingcpp
    from PIL import Image
    page = visit(zone="America/Los_Angeles", locale="en-US").open(
        "/shows/metallic-rouge?region=us&lang=ja")
    png = page.locator("figure.qr svg").first.screenshot()
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded.text == site.replace("http://", "webcal://") + \
        "/feeds/us/metallic-rouge.ics?lang=ja"


# A 60-character host name: the longest addresses people will scan.
LONG_HOST = "calendar-feeds-for-anime." + "x" * 23 + ".example.org"
STYLESHEET = Path(__file__).resolve().parent.parent / "calfeed" / "static" / "calfeed.css"


@pytest.mark.parametrize("feed", ["/feeds/us.ics", "/feeds/jp/metallic-rouge.ics"])
@pytest.mark.parametrize("alarm", ["", "15", "60"])
@pytest.mark.parametrize("lang", ["", "ja"])
def test_qr_code_decodes_whole_for_every_choice_and_a_long_host(browser, feed, alarm, lang):
    """The code scales inside the page's CSS box (viewBox, no fixed size), so nothing is cut."""
    import zxingcpp
    from PIL import Image
    from calfeed.render.subscribe import subscribe_links
    assert len(LONG_HOST) == 60
    query = "&".join(f"{k}={v}" for k, v in (("alarm", alarm), ("lang", lang)) if v)
    url = f"https://{LONG_HOST}{feed}" + (f"?{query}" if query else "")
    svg = subscribe_links(url, "メタリックルージュ (United States)").qr_svg
    assert "viewBox" in svg and " width=" not in svg
    context = browser.new_context(viewport={"width": 390, "height": 900})
    try:
        page = context.new_page()
        page.set_content(f'<main><figure class="qr">{svg}</figure></main>')
        page.add_style_tag(content=STYLESHEET.read_text(encoding="utf-8"))
        box = page.locator("figure.qr svg").bounding_box()
        assert box["width"] >= 160 and box["width"] == box["height"]
        png = page.locator("figure.qr svg").screenshot()
    finally:
        context.close()
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded.text == url.replace("https://", "webcal://")


def test_region_defaults_from_the_browser_language(visit):
    page = visit(zone="Asia/Tokyo", locale="ja-JP").open("/")
    assert page.locator("#region").input_value() == "jp"
    assert "Fuji TV +Ultra" in page.locator(".card .where").first.inner_text()


def test_region_choice_is_remembered(visit):
    session = visit(zone="Europe/London", locale="en-GB")
    page = session.open("/")
    assert page.locator("#region").input_value() == "gb"
    with page.expect_navigation():
        page.select_option("#region", "br")
    assert page.url.endswith("/?region=br")
    page.goto(session.base + "/shows/metallic-rouge", wait_until="networkidle")
    assert "region=br" in page.url
    assert page.locator("#region").input_value() == "br"


def test_index_cards(visit):
    page = visit(zone="America/New_York", locale="en-US").open("/?region=us")
    card = page.locator(".card").first
    assert card.locator("h3").inner_text() == "Metallic Rouge"
    assert card.locator(".title-ja").inner_text() == "メタリックルージュ"
    assert card.locator(".studio").inner_text() == "Studio Bones"
    assert card.locator(".where").inner_text() == "In United States: Crunchyroll"
    assert card.locator(".next").inner_text() == \
        "Next: episode 9, Wednesday, March 6, 2024 at 1:25 PM EST"


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize(("name", "path"), [("index", "/?region=us"),
                                            ("show", "/shows/metallic-rouge?region=us")])
def test_screenshots_and_no_horizontal_scroll(visit, width, name, path):
    page = visit(zone="America/Los_Angeles", locale="en-US", width=width).open(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    assert (ARTIFACTS / f"{name}-{width}.png").stat().st_size > 10_000


# --- Every page at both widths and in both colour schemes, checked by axe-core --

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
# The pages a person meets, with the data the site fixture serves.
PAGES = [("index", "/?region=us"), ("show", "/shows/metallic-rouge?region=us"),
         ("show-ja", "/shows/metallic-rouge?region=jp&lang=ja&alarm=15"),
         ("week", "/week?region=us&from=2024-02-26"), ("week-jp", "/week?region=jp"),
         ("new-calendar", "/calendars/new?region=us"),
         ("search", "/search?q=metal&region=us"), ("season", "/seasons/2024-winter?region=jp"),
         ("seasons", "/seasons?region=us"), ("show-platform", "/shows/metallic-rouge?region=jp&releases=all"),
         ("show-elsewhere", "/shows/metallic-rouge?region=kr")]


def axe_findings(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is, one line each."""
    from tests.tools import require_file
    source = require_file(AXE, "npm ci --prefix tests/js (make test does it)")
    # Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on.
    page.evaluate(source.read_text(encoding="utf-8"))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ${v.help}; ` +
                        v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
    }""")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(("name", "path"), PAGES)
def test_pages_pass_axe_at_both_widths_light_and_dark(visit, name, path, width, scheme):
    session = visit(zone="America/Los_Angeles", locale="en-US", width=width,
                    color_scheme=scheme, now=PAGE_NOW)
    page = session.open(path)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == \
        (scheme == "dark")
    assert axe_findings(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"axe-{name}-{width}-{scheme}.png"), full_page=True)


def tab_to(page, selector: str, most: int = 80):
    """Press Tab until the focused element matches the selector; fail if it never does."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return page.locator(":focus")
    raise AssertionError(f"{selector} not reached with {most} presses of Tab")


def test_keyboard_only_subscribe_add_and_submit(visit):
    """Keyboard only: Tab to a subscribe link, then to the "+" that adds the show
    to a calendar, Enter, and on the form Tab to its submit button, Enter."""
    session = visit(zone="Europe/London", locale="en-GB", now=PAGE_NOW)
    page = session.open("/shows/metallic-rouge?region=gb")
    link = tab_to(page, "a[data-app=apple]")
    assert link.get_attribute("href").startswith("webcal://")
    # The focus is visible: an outline drawn around the link.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    page = session.open("/shows/metallic-rouge?region=gb")
    tab_to(page, "button.add-button")
    page.keyboard.press("Enter")        # no calendar yet: picked, with the way to the form
    tab_to(page, ".add-status a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_checked("#show-metallic-rouge")
    tab_to(page, "form.calendar-form button.primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("[data-calendar-feed]").get_attribute("data-calendar-feed").endswith(".ics")
    assert axe_findings(page) == []

    # A show can also be ticked from the keyboard on the form itself.
    page = session.open("/calendars/new?region=gb")
    tab_to(page, "#show-metallic-rouge")
    page.keyboard.press("Space")
    assert page.is_checked("#show-metallic-rouge")

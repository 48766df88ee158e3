"""Finding a show in Chromium: results as one types, the same without script,
subscribing from the top of a show page on a phone, and dark mode."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest


@pytest.fixture
def open_page(browser, site):
    """A page in a fresh context; no console error and no request off 127.0.0.1 allowed."""
    contexts, errors, requests = [], [], []

    def open_(path, *, width=1280, javascript=True, scheme="light"):
        context = browser.new_context(viewport={"width": width, "height": 800},
                                      java_script_enabled=javascript, color_scheme=scheme,
                                      timezone_id="Asia/Tokyo", locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(site + path, wait_until="networkidle")
        return page
    yield open_
    for context in contexts:
        context.close()
    assert errors == []
    assert all(url.startswith(site + "/") for url in requests), requests


@pytest.mark.parametrize("typed", ["めたり", "metarikku", "Metal"])
def test_results_appear_as_one_types(open_page, site, typed):
    page = open_page("/search?region=jp")
    page.locator("#q").press_sequentially(typed, delay=40)
    # Results follow the text as it grows; wait for the answer to the whole of it.
    page.locator(".result-count", has_text=f"“{typed}”").wait_for()
    assert page.locator(".result-count").inner_text() == f"1 show matches “{typed}”."
    link = page.locator("[data-search-results] .results a")
    assert link.inner_text() == "Metallic Rouge"
    assert link.get_attribute("href") == "/shows/metallic-rouge?region=jp"
    # Nothing was submitted: the address was rewritten in place, so it can be shared.
    page.wait_for_url(f"{site}/search?{urlencode({'q': typed, 'region': 'jp'})}")
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("zzzz", delay=20)
    page.locator(".result-count", has_text="No show matches “zzzz”.").wait_for()


def test_the_front_page_searches_as_one_types(open_page):
    page = open_page("/?region=us")
    page.locator("#q").press_sequentially("ルージュ", delay=40)
    page.locator("[data-search-results] .results a", has_text="Metallic Rouge").wait_for()
    assert page.locator("[data-search-results] .meta").inner_text() == "Winter 2024 · Crunchyroll"


def test_search_works_without_script(open_page):
    page = open_page("/?region=jp", javascript=False)
    page.locator("#q").fill("めたりっく")
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    assert "/search?q=" in page.url
    assert page.locator(".results a").inner_text() == "Metallic Rouge"


def test_subscribing_is_one_tap_from_the_top_on_a_phone(open_page):
    page = open_page("/shows/metallic-rouge?region=jp", width=390)
    button = page.locator(".actions a", has_text="Subscribe")
    assert button.bounding_box()["y"] < 400          # on the first screen
    page.keyboard.press("Tab")
    for _ in range(5):
        if page.evaluate("document.activeElement.textContent.trim()") == "Subscribe":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('subscribe-heading')"
                           ".getBoundingClientRect().top < 100")
    assert page.url.endswith("#subscribe-heading")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_platform_label_sits_with_its_list(open_page, width):
    """At 390 px the "Platform" label wrapped beside the search box, away from its list: on a
    phone the box has a line of its own and the label begins the next, beside the list."""
    page = open_page("/search?q=metal&region=us", width=width)
    box = page.locator("form.search input[type=search]").bounding_box()
    label = page.locator("form.search label[for=release]").bounding_box()
    select = page.locator("form.search select#release").bounding_box()
    # The label on the list's line, just before it.
    assert abs((label["y"] + label["height"] / 2) - (select["y"] + select["height"] / 2)) < 4
    assert 0 <= select["x"] - (label["x"] + label["width"]) < 16
    if width == 390:
        assert label["y"] >= box["y"] + box["height"] and label["x"] <= box["x"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_dark_mode_follows_the_system(open_page):
    light = open_page("/?region=us")
    dark = open_page("/?region=us", scheme="dark")
    background = "getComputedStyle(document.body).backgroundColor"
    assert light.evaluate(background) == "rgb(255, 255, 255)"
    assert dark.evaluate(background) == "rgb(20, 20, 24)"
    # The QR code stays black on white: it still decodes in dark mode.
    import zxingcpp
    from PIL import Image
    png = open_page("/shows/metallic-rouge?region=us", scheme="dark").locator(
        "figure.qr svg").first.screenshot()
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded.text.endswith("/feeds/us/metallic-rouge.ics")

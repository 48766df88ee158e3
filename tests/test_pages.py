"""Pages without a browser: routes, region from Accept-Language, headers, escaping."""

from __future__ import annotations

import re
import shutil

import pytest

from calfeed.web.pages import CONTENT_SECURITY_POLICY


# Every test here runs with the whole-response cache on and off (tests/conftest.py): the
# conditional requests it answers itself are answered by Flask alone too.
pytestmark = pytest.mark.both_response_caches

HTML = "text/html; charset=utf-8"


@pytest.mark.parametrize(("path", "status", "content_type"), [
    ("/", 200, HTML),
    ("/?region=jp", 200, HTML),
    ("/?region=", 200, HTML),                      # an empty form field means "not given"
    ("/?region=zz", 404, HTML),
    ("/?colour=red", 400, HTML),
    ("/shows/metallic-rouge", 200, HTML),
    ("/shows/metallic-rouge?region=us&alarm=15&lang=ja", 200, HTML),
    ("/shows/metallic-rouge?region=kr", 200, HTML),  # not watchable: says so, keeps the region feed
    ("/shows/metallic-rouge?alarm=5", 200, HTML),       # the feed's alarm rules
    ("/shows/metallic-rouge?alarm=10081", 400, HTML),
    ("/shows/metallic-rouge?lang=fr", 400, HTML),
    ("/shows/no-such-show", 404, HTML),
    ("/static/calfeed.css", 200, "text/css; charset=utf-8"),
    ("/static/calfeed.js", 200, "text/javascript; charset=utf-8"),
    ("/static/favicon.svg", 200, "image/svg+xml; charset=utf-8"),
])
def test_route_table(client, path, status, content_type):
    response = client.get(path)
    assert (response.status_code, response.content_type) == (status, content_type)


@pytest.mark.parametrize(("accept_language", "region"), [
    ("ja", "JP"), ("ja-JP,ja;q=0.9", "JP"), ("en-GB,en;q=0.8", "GB"), ("pt-BR", "BR"),
    ("de", "DE"), ("en", "US"), (None, "US"), ("xx", "US"),
])
def test_region_defaults_from_accept_language(client, accept_language, region):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = client.get("/", headers=headers).text
    assert re.search(r'<option value="(\w\w)" selected[ >]', page).group(1) == region.lower()


def test_page_security_headers(client):
    response = client.get("/shows/metallic-rouge")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_or_style(client):
    for path in ("/", "/shows/metallic-rouge?region=jp&lang=ja"):
        page = client.get(path).text
        assert re.findall(r"<script[^>]*>", page) == [
            '<script src="/static/calfeed.js" defer>',
            '<script src="/static/my-calendar.js" defer>']
        assert "style=" not in page and "<style" not in page
        assert re.findall(r"<[^>]*\son[a-z]+\s*=", page) == []   # no inline event handlers


def test_unavailable_region_says_so(client):
    page = client.get("/shows/metallic-rouge?region=kr").text
    assert "cannot be watched in South Korea" in page
    # Where it can be watched, instead of an empty Subscribe panel: each release, its regions,
    # and the show's page in a few of them.
    assert "Where it can be watched" in page and 'id="subscribe-heading"' not in page
    assert re.search(r'<span class="release">FOD</span>: JP\. <span class="see-in">See its '
                     r'times in <a href="/shows/metallic-rouge\?region=jp">Japan</a>', page)
    assert ('<span class="release">Crunchyroll</span>: world except asia. <span class="see-in">'
            'See its times in <a href="/shows/metallic-rouge?region=us">United States</a>') in page
    # South Korea's feed would be empty: not offered (tests/test_show_page.py).
    assert "webcal://localhost/feeds/kr.ics" not in page
    assert "webcal://localhost/feeds/kr/metallic-rouge.ics" not in page


def test_html_errors_are_pages_with_the_message(client):
    response = client.get("/shows/metalic-rouge")
    assert "unknown show &#39;metalic-rouge&#39;: shows are metallic-rouge" in response.text


def test_titles_are_escaped_on_pages_and_in_json(make_app, tmp_path):
    from tests.conftest import BUNDLED_SCHEDULES
    schedules = tmp_path / "schedules"
    shutil.copytree(BUNDLED_SCHEDULES, schedules)
    path = schedules / "metallic-rouge.yaml"
    path.write_text(path.read_text().replace(
        "title: {en: Metallic Rouge,", "title: {en: \"<script>alert('x')</script>\",").replace(
        "3: {en: Marginal City,", "3: {en: \"<img src=x onerror=alert(1)>\","))
    client = make_app(schedules).test_client()
    for url in ("/?region=us", "/shows/metallic-rouge?region=us"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    api = client.get("/api/v1/schedule?region=us").get_json()["airings"]
    assert api[2]["episode_title"] == "<img src=x onerror=alert(1)>"   # JSON carries the text
    assert client.get("/api/v1/schedule").content_type == "application/json"


# What airs now, on a small bangumi-data package beside the bundled
# schedules (tests/test_catalogue_serving.py), with the app's clock injected.

def _front_cards(page: str, heading_id: str) -> list[str]:
    section = page.split(f'id="{heading_id}"')[1].split("</section>")[0] \
        if f'id="{heading_id}"' in page else ""
    return re.findall(r'<article aria-labelledby="show-[^"]+" data-show="([^"]+)"', section)


@pytest.fixture
def imported(tmp_path):
    from tests.test_catalogue_serving import dataset
    return dataset(tmp_path / "bangumi-data")


def test_front_page_lists_long_runners_still_on_air(make_app, imported):
    """A weekly show since 2019 (no end date) airs now: listed with its next episode, though
    its season is years before the current one; a show that ended in 2010 is not. One first
    aired on 21 December 2023 airs mostly in the winter: it is a Winter 2024 show."""
    page = make_app(IMPORT=1, IMPORT_PATH=str(imported)).test_client().get("/?region=jp").text
    assert sorted(_front_cards(page, "now-heading")) == ["current-show", "metallic-rouge"]
    assert _front_cards(page, "continuing-heading") == ["nagai-anime"]
    assert "Still airing from earlier seasons" in page
    nagai = page.split('data-show="nagai-anime"')[1].split("</article>")[0]
    # Weekly from 2019-01-06 01:00 UTC: the next after 2024-01-01 is Sunday 7 January, 10:00
    # in Tokyo. A weekly count across five years of breaks is no episode number: none shown.
    assert "Next:" in nagai and "2024-01-07T01:00:00Z" in nagai
    assert "episode 262" not in nagai
    assert "old-show" not in page


def test_front_page_follows_the_clock(make_app, imported):
    from datetime import datetime, timezone
    from tests.conftest import fixed_clock
    later = fixed_clock(datetime(2024, 6, 1, tzinfo=timezone.utc))   # Spring 2024
    page = make_app(IMPORT=1, IMPORT_PATH=str(imported), CLOCK=later).test_client().get(
        "/?region=jp").text
    # Metallic Rouge and Current Show ended in the spring; the long runner goes on.
    assert _front_cards(page, "continuing-heading") == ["nagai-anime"]
    assert _front_cards(page, "now-heading") == []


def test_no_region_feed_offered_where_every_show_aired_years_ago(make_app):
    """The region feed covers two weeks back to two months ahead: in 2030 the United States'
    one show (Metallic Rouge, 2024) is long over, its feed empty, so it is not offered; the
    show's own feed (every episode) still is."""
    from datetime import datetime, timezone
    from tests.conftest import fixed_clock
    client = make_app(CLOCK=fixed_clock(datetime(2030, 1, 1, tzinfo=timezone.utc))).test_client()
    assert b"BEGIN:VEVENT" not in client.get("/feeds/us.ics").data
    page = client.get("/shows/metallic-rouge?region=us").text
    assert "/feeds/us.ics" not in page
    assert "http://localhost/feeds/us/metallic-rouge.ics" in page
    assert ("No feed of every show in United States: the one show watchable there does not air "
            "between two weeks ago and two months ahead") in page
    # In 2024 the same page offers it.
    assert "/feeds/us.ics" in make_app().test_client().get("/shows/metallic-rouge?region=us").text


# Japanese names on every page: ?lang=, else the browser's language, as calfeed has words for
# it; the page's own words follow (test_pages_japanese.py), so <html lang> says so.

JAPAN_OPTION = re.compile(r'<option value="jp"[^>]*>([^<]*)</option>')
PAGES = ("/", "/seasons", "/seasons/2024-winter", "/week", "/search?q=metal",
         "/calendars/new", "/shows/metallic-rouge")


def _with(path: str, query: str) -> str:
    return path + ("&" if "?" in path else "?") + query


@pytest.mark.parametrize("path", PAGES)
def test_pages_name_regions_in_japanese_for_lang_ja_or_a_japanese_browser(client, path):
    for page in (client.get(_with(path, "lang=ja")).text,
                 client.get(path, headers={"Accept-Language": "ja-JP,ja;q=0.9"}).text,
                 client.get(_with(path, "region=us"), headers={"Accept-Language": "ja"}).text):
        assert JAPAN_OPTION.findall(page) == ["日本"], path
        assert '<option value="jp" lang="ja">' in page or 'lang="ja">日本' in page
        assert '<html lang="ja">' in page
    for page in (client.get(path).text, client.get(_with(path, "lang=en"),
                                                   headers={"Accept-Language": "ja"}).text,
                 client.get(path, headers={"Accept-Language": "fr, en;q=0.5"}).text):
        assert JAPAN_OPTION.findall(page) == ["Japan"], path
        assert '<html lang="en">' in page


def test_the_cache_keeps_a_page_per_language_the_browser_chooses(client):
    """With ?region= given the region is the URL's, but the names still follow the browser:
    a cached English page must not be sent to a Japanese browser, nor the other way."""
    for url, order in (("/seasons?region=us", ("en", "ja")), ("/week?region=us", ("ja", "en"))):
        pages = {lang: client.get(url, headers={"Accept-Language": lang}) for lang in order}
        assert JAPAN_OPTION.findall(pages["en"].text) == ["Japan"]
        assert JAPAN_OPTION.findall(pages["ja"].text) == ["日本"]
        assert "Accept-Language" in pages["ja"].headers["Vary"]


def test_the_lang_a_page_keeps_and_refuses(client):
    page = client.get("/?lang=JA&region=jp").text
    assert '<input type="hidden" name="lang" value="JA">' in page   # the picker keeps it
    answer = client.get("/seasons?lang=fr")
    assert answer.status_code == 400
    assert "lang &#39;fr&#39; is not a language of calfeed&#39;s pages: use one of en, ja" \
        in answer.text
    assert client.get("/search.json?q=metal&region=jp&lang=ja").get_json()["region_name"] \
        == "日本"


def test_show_page_says_where_times_come_from_in_japanese(client):
    page = client.get("/shows/metallic-rouge?region=jp&lang=ja").text
    assert '<dd data-provenance="curated" lang="ja">時刻：calfeedのスケジュール' in page


def test_the_calendar_form_takes_the_browsers_region_and_lang(client):
    page = client.get("/calendars/new", headers={"Accept-Language": "ja"}).text
    assert re.search(r'<option value="jp" selected lang="ja">日本</option>', page)
    prefilled = client.get("/calendars/new?region=us&lang=ja").text
    assert '<option value="ja" lang="ja" selected>日本語</option>' in prefilled

"""Pages without a browser: routes, region from Accept-Language, headers, escaping."""

from __future__ import annotations

import re
import shutil

import pytest

from calfeed.web.views import CONTENT_SECURITY_POLICY


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
    assert re.search(r'<option value="(\w\w)" selected>', page).group(1) == region.lower()


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
            '<script src="/static/calfeed.js" defer>']
        assert "style=" not in page and "<style" not in page
        assert re.findall(r"<[^>]*\son[a-z]+\s*=", page) == []   # no inline event handlers


def test_unavailable_region_says_so(client):
    page = client.get("/shows/metallic-rouge?region=kr").text
    assert "cannot be watched in South Korea" in page
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

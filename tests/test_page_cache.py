"""Pages answered from the whole-response cache, keyed on the region chosen, never on the raw
Accept-Language header; and never one browser's region served to another."""

from __future__ import annotations

from flask import render_template_string

from calfeed.web.page_cache import accepted_region, chosen_region, whole_response
from calfeed.web import state

# A blank region is no region on a page (a form's "none" choice): Accept-Language decides.
PAGES = ("/", "/shows/metallic-rouge", "/week", "/?region=", "/week?region=+&utm_source=x",
         "/seasons", "/seasons/2024-winter", "/search?q=metal", "/search.json?q=metal")
# Browsers' languages that pick different regions (US is the default), each written many ways.
LANGUAGES = ("en-US", "ja", "ja-JP,ja;q=0.9", "en-GB", "fr-CA", "de", "pt-BR", "", "xx", "*")


def counting(app) -> list[str]:
    """The paths the response cache had to ask Flask for."""
    cache = state.service(app).response_cache
    asked: list[str] = []
    inner = cache.wsgi_app

    def count(environ, start_response):
        asked.append(environ["PATH_INFO"])
        return inner(environ, start_response)
    cache.wsgi_app = count
    return asked


def test_thousands_of_accept_languages_make_one_entry_per_region_chosen(make_app):
    app = make_app(RESPONSE_CACHE_SECONDS=3600)     # no entry expires during the loop
    asked = counting(app)
    client = app.test_client()
    for n in range(2000):
        language = f"{LANGUAGES[n % len(LANGUAGES)]}, x-{n};q=0.{n % 9 + 1}"
        response = client.get("/", headers={"Accept-Language": language})
        assert response.status_code == 200
    regions = {accepted_region(language, "US") for language in LANGUAGES}
    assert len(state.service(app).response_cache) == len(regions) == len(asked)


def test_each_browser_gets_the_page_of_its_own_region(make_app):
    """Interleaved, every cached answer is byte for byte the page made for that browser."""
    cached = make_app().test_client()
    fresh = make_app(RESPONSE_CACHE_SECONDS=0).test_client()
    for _ in range(2):
        for page in PAGES:
            for language in LANGUAGES:
                headers = {"Accept-Language": language}
                got, expected = cached.get(page, headers=headers), fresh.get(page, headers=headers)
                assert got.status_code == 200
                assert got.data == expected.data, (page, language)
                assert got.headers["Vary"] == "Accept-Language"


def test_the_page_and_its_key_choose_the_same_region(make_app):
    client = make_app().test_client()
    for language in (*LANGUAGES, "en-AU;q=0.1, ko;q=0.9", "zh-Hant-TW", "es-419", "ja_JP"):
        code = accepted_region(language, "US")
        page = client.get("/", headers={"Accept-Language": language}).data
        assert f'<option value="{code.lower()}" selected'.encode() in page, (language, code)


def test_with_region_in_the_url_the_header_changes_nothing(make_app):
    app = make_app(RESPONSE_CACHE_SECONDS=3600)
    asked = counting(app)
    client = app.test_client()
    for n in range(50):
        response = client.get("/shows/metallic-rouge?region=jp",
                              headers={"Accept-Language": f"en-US, x-{n}"})
        assert response.status_code == 200
    assert asked == ["/shows/metallic-rouge"]


def test_pages_are_cached_per_data_version_and_only_their_200s(make_app):
    app = make_app(RESPONSE_CACHE_SECONDS=3600)
    asked = counting(app)
    client = app.test_client()
    for _ in range(3):
        client.get("/shows/metallic-rouge?region=us&alarm=15")
        client.get("/week?region=jp")
        assert client.get("/shows/no-such-show").status_code == 404
        assert client.get("/calendars/new").status_code == 200      # the same for everyone
        assert client.get("/calendars/mine").status_code == 200     # reads a cookie: not kept
    assert asked.count("/shows/metallic-rouge") == 1 and asked.count("/week") == 1
    assert asked.count("/shows/no-such-show") == 3
    assert asked.count("/calendars/new") == 1 and asked.count("/calendars/mine") == 3


def test_a_new_page_route_is_cached_by_marking_it(make_app):
    app = make_app(RESPONSE_CACHE_SECONDS=3600)
    renders = []

    @whole_response(chosen_region)
    def season():
        renders.append(1)
        return render_template_string("season page")
    app.add_url_rule("/seasons/now", view_func=season)
    client = app.test_client()
    for language in ("ja", "ja-JP", "ja, x-1", "en-US"):
        assert client.get("/seasons/now", headers={"Accept-Language": language}).data == \
            b"season page"
    assert len(renders) == 2

"""The API as a client uses it: /api/v1/search (the /search page's matching), each airing's
feed on /api/v1/shows/{show}, and an OpenAPI description that names show ids by a pattern."""

from __future__ import annotations

import json

import pytest

from tests.parsers import with_icalendar
from tests.test_api import assert_error


def test_search_finds_what_the_search_page_finds(client):
    found = client.get("/api/v1/search?q=めたりっく&region=jp").get_json()
    page = client.get("/search.json?q=めたりっく&region=jp").get_json()
    assert [s["id"] for s in found["shows"]] == [s["id"] for s in page["shows"]] \
        == ["metallic-rouge"]
    show = found["shows"][0]
    assert (found["total"], show["season"], show["watchable"]) == (1, "2024-winter", True)
    assert show["url"] == "http://localhost/api/v1/shows/metallic-rouge"
    assert show["title"]["en"] == "Metallic Rouge" and show["derived_titles"] == []
    assert "FOD" in show["releases"]
    assert client.get("/api/v1/search?q=gundam").get_json()["shows"] == []
    anywhere = client.get("/api/v1/search?q=metal").get_json()["shows"][0]
    assert (anywhere["watchable"], anywhere["releases"]) == (None, [])


@pytest.mark.parametrize(("path", "status", "parameter", "message"), [
    ("/api/v1/search", 400, "q", "give q"),
    ("/api/v1/search?q=" + "a" * 101, 400, "q", "at most 100"),
    ("/api/v1/search?q=metal&release=fod", 400, "release", "needs a region"),
    ("/api/v1/search?q=metal&region=jp&release=crunchyroll", 400, "release", None),
    ("/api/v1/search?q=metal&limit=0", 400, "limit", None),
    ("/api/v1/search?q=metal&region=zz", 404, "region", None),
])
def test_search_refuses_what_it_cannot_answer(client, path, status, parameter, message):
    response = client.get(path)
    assert_error(response, status, "invalid_parameter" if status == 400 else "not_found",
                 parameter)
    assert message is None or message in response.get_json()["error"]["message"]


def test_search_filters_by_platform_and_limits(client):
    kept = client.get("/api/v1/search?q=rouge&region=jp&release=fod").get_json()
    assert [s["id"] for s in kept["shows"]] == ["metallic-rouge"] and kept["release"] == "fod"
    assert client.get("/api/v1/search?q=e&limit=1").get_json()["shows"].__len__() <= 1


def _starts(client, url: str) -> set[str]:
    return set(with_icalendar(client.get(url.removeprefix("http://localhost")).data).values())


@pytest.mark.parametrize("region", [None, "jp", "us"])
def test_each_airing_names_the_feed_it_appears_in(client, region):
    """Every feed_url given is a feed holding an event at the airing's instant; the JP
    broadcast (earliest in Japan) is in the plain show feed, later JP streams in the feed for
    their release; Crunchyroll (watchable in many countries) has one only when asked with
    region."""
    query = f"?region={region}" if region else ""
    airings = client.get(f"/api/v1/shows/metallic-rouge{query}").get_json()["airings"]
    feeds: dict[str, set[str]] = {}
    for airing in airings:
        url = airing["feed_url"]
        if url is None:
            continue
        starts = feeds.setdefault(url, _starts(client, url))
        assert airing["start_utc"] in starts, (airing["release_id"], url)
    by_release = {a["release_id"]: a["feed_url"] for a in airings if a["episode"] == 1}
    if region in (None, "jp"):
        assert by_release["fuji-tv-ultra"] == "http://localhost/feeds/jp/metallic-rouge.ics"
        assert by_release["fod"] == "http://localhost/feeds/jp/metallic-rouge.ics?release=fod"
    if region is None or region == "jp":
        assert by_release["crunchyroll"] is None
    if region == "us":
        assert by_release["crunchyroll"] == "http://localhost/feeds/us/metallic-rouge.ics"
        assert by_release["fod"] is None


def test_openapi_names_show_ids_by_a_pattern_with_examples(client):
    document = client.get("/api/v1/openapi.json").get_json()
    show = document["paths"]["/api/v1/shows/{show}"]["get"]["parameters"][0]["schema"]
    assert "enum" not in show and show["pattern"] and show["examples"] == ["metallic-rouge"]
    schedule = {p["name"]: p for p in document["paths"]["/api/v1/schedule"]["get"]["parameters"]}
    assert "enum" not in schedule["show"]["schema"]["items"]
    search = {p["name"]: p for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert search["q"]["required"] and not search["region"]["required"]


def test_openapi_stays_small_with_the_imported_catalogue(make_app):
    """It listed the 8,481 show ids twice: 565 KB for client generators to read."""
    body = make_app(IMPORT=1).test_client().get("/api/v1/openapi.json").data
    assert len(body) < 100_000, len(body)
    assert json.loads(body)["paths"]["/api/v1/search"]

"""The JSON API: routes as a table, one error shape, the Metallic Rouge facts, caching."""

from __future__ import annotations

import pytest

from calfeed.query.schedule import SCHEDULE, SHOW
from calfeed.web.openapi import OPERATIONS, api_paths


# Every test here runs with the whole-response cache on and off (tests/conftest.py): the
# conditional requests it answers itself are answered by Flask alone too.
pytestmark = pytest.mark.both_response_caches

JSON = "application/json"


def assert_error(response, status: int, code: str, parameter: str | None = None,
                 message: str | None = None):
    """Every API error has this one shape; this helper is the only place that checks it."""
    assert response.status_code == status
    assert response.content_type == JSON
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert list(body) == ["error"]
    error = body["error"]
    assert error["status"] == status and error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"status", "code", "parameter", "message"}
    assert error.get("parameter") == parameter
    if message is not None:
        assert error["message"] == message
    return error


@pytest.mark.parametrize(("path", "status", "content_type"), [
    ("/api/v1/regions", 200, JSON),
    ("/api/v1/shows", 200, JSON),
    ("/api/v1/regions/jp", 200, JSON),
    ("/api/v1/shows/metallic-rouge", 200, JSON),
    ("/api/v1/shows/metallic-rouge?tz=Europe/Paris&lang=ja", 200, JSON),
    ("/api/v1/shows/no-such-show", 404, JSON),
    ("/api/v1/schedule", 200, JSON),
    ("/api/v1/schedule?region=US&tz=America/New_York", 200, JSON),
    ("/api/v1/schedule?show=metallic-rouge&from=2024-01-01&to=2024-02-01", 200, JSON),
    ("/api/v1/schedule?region=zz", 404, JSON),
    ("/api/v1/openapi.json", 200, JSON),
    ("/api/v1/", 404, JSON),
    ("/api/v2/regions", 404, JSON),
])
def test_route_table(client, path, status, content_type):
    response = client.get(path)
    assert (response.status_code, response.content_type) == (status, content_type)


@pytest.mark.parametrize(("path", "status", "code", "parameter", "message"), [
    ("/api/v1/schedule?tz=Asia/Tokio", 400, "invalid_parameter", "tz",
     "unknown time zone 'Asia/Tokio', did you mean 'Asia/Tokyo'?"),
    ("/api/v1/schedule?region=uk", 404, "not_found", "region",
     "unknown region 'uk', did you mean 'GB'? Use an ISO 3166-1 alpha-2 code such as us or jp"),
    ("/api/v1/schedule?from=2024-01-01&to=2025-06-01", 400, "invalid_parameter", "to",
     "the window from 2024-01-01 to 2025-06-01 is longer than 366 days: ask for a shorter one"),
    ("/api/v1/schedule?from=yesterday", 400, "invalid_parameter", "from",
     "from 'yesterday' is not a date (2024-01-10) or a date and time (2024-01-10T18:00:00Z)"),
    ("/api/v1/schedule?from=2024-02-01&to=2024-01-01", 400, "invalid_parameter", "to",
     "to must be later than from"),
    ("/api/v1/schedule?show=nope", 404, "not_found", "show",
     "unknown show 'nope': shows are metallic-rouge"),
    ("/api/v1/schedule?release=hulu", 400, "invalid_parameter", "release", None),
    ("/api/v1/schedule?releases=many", 400, "invalid_parameter", "releases", None),
    ("/api/v1/schedule?lang=fr", 400, "invalid_parameter", "lang", None),
    ("/api/v1/schedule?tz=UTC&tz=UTC", 400, "invalid_parameter", "tz", None),
    ("/api/v1/schedule?colour=red", 400, "invalid_parameter", "colour", None),
    ("/api/v1/regions?region=us", 400, "invalid_parameter", "region", None),
    ("/api/v1/shows/metallic-rouge?lang=fr", 400, "invalid_parameter", "lang", None),
    ("/api/v1/shows?limit=0", 400, "invalid_parameter", "limit",
     "limit '0' is not valid: use a whole number from 1 to 200"),
    ("/api/v1/shows?limit=201", 400, "invalid_parameter", "limit", None),
    ("/api/v1/shows?after=a%20b", 400, "invalid_parameter", "after",
     "after 'a b' is not a show id: use the `next` link of the page before, or leave after "
     "out for the first page"),
    ("/api/v1/shows?after=metallic-rouge&after=x", 400, "invalid_parameter", "after", None),
    ("/api/v1/regions/xx", 404, "not_found", "region", None),
    ("/api/v1/regions/us?limit=5", 400, "invalid_parameter", "limit", None),
    ("/api/v1/shows/metallic-rouge?from=2024-01-01", 400, "invalid_parameter", "from", None),
    ("/api/v1/shows/metalic-rouge", 404, "not_found", None,
     "unknown show 'metalic-rouge': shows are metallic-rouge"),
    ("/api/v1/nothing-here", 404, "not_found", None, "nothing at /api/v1/nothing-here"),
])
def test_errors_have_one_shape(client, path, status, code, parameter, message):
    assert_error(client.get(path), status, code, parameter, message)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/api/v1/regions", "/api/v1/schedule",
                                  "/api/v1/shows/metallic-rouge"])
def test_other_methods_are_405(client, method, path):
    response = getattr(client, method)(path)
    assert_error(response, 405, "method_not_allowed", None,
                 f"{method.upper()} is not allowed here: use GET")
    assert "GET" in response.headers["Allow"]


def test_a_failure_is_a_500_in_the_same_shape(client, app, monkeypatch):
    monkeypatch.setattr("calfeed.web.api.schedule", lambda *a: 1 / 0)
    assert_error(client.get("/api/v1/schedule"), 500, "internal_error", None,
                 "calfeed could not build this response; please try again later")


def airings(client, query):
    response = client.get(f"/api/v1/schedule?{query}")
    assert response.status_code == 200, response.text
    return {a["episode"]: a for a in response.get_json()["airings"]}


# The whole run of Metallic Rouge (January to April 2024): without from/to the API answers only
# the window around now (the test clock's 2024-01-01).
WHOLE_RUN = "from=2024-01-01&to=2024-04-30"


def test_metallic_rouge_in_new_york(client):
    found = airings(client, f"region=us&tz=America/New_York&{WHOLE_RUN}")
    assert len(found) == 13
    assert found[1]["start"] == "2024-01-10T13:25:00-05:00"
    assert found[10]["start"] == "2024-03-13T14:25:00-04:00"
    assert found[1]["start_utc"] == "2024-01-10T18:25:00Z"
    assert (found[1]["zone_abbreviation"], found[10]["zone_abbreviation"]) == ("EST", "EDT")
    assert found[1]["release_name"] == "Crunchyroll"
    assert found[1]["uid"] == "bgm425595-1-crunchyroll@calfeed"
    assert found[1]["feed_url"] == "http://localhost/feeds/us/metallic-rouge.ics"


def test_metallic_rouge_in_japan(client):
    first = airings(client, "region=jp")[1]
    assert first["start"] == "2024-01-11T00:55:00+09:00"
    assert (first["release_id"], first["release_name"]) == ("fuji-tv-ultra", "Fuji TV +Ultra")
    assert first["zone"] == "Asia/Tokyo" and first["zone_abbreviation"] == "JST"


def test_schedule_defaults_to_a_window_around_now_in_utc(client):
    # never "everything"; 7 days back to 30 ahead of the (injected) clock's hour.
    body = client.get("/api/v1/schedule").get_json()
    assert body["tz"] == "UTC" and body["region"] is None
    assert (body["from"], body["to"]) == ("2023-12-25T00:00:00+00:00", "2024-01-31T00:00:00+00:00")
    starts = [(a["start_utc"], a["show_id"], a["episode"]) for a in body["airings"]]
    assert starts == sorted(starts)
    every = client.get(f"/api/v1/schedule?{WHOLE_RUN}").get_json()["airings"]
    assert len(every) == 52
    assert body["airings"] == [a for a in every if a["start_utc"] < "2024-01-31"]
    assert 0 < len(body["airings"]) < 52


def test_default_window_follows_the_clock(make_app):
    from tests.conftest import fixed_clock
    from datetime import datetime, timezone
    later = make_app(CLOCK=fixed_clock(datetime(2024, 3, 20, 17, 42, tzinfo=timezone.utc)))
    body = later.test_client().get("/api/v1/schedule").get_json()
    assert (body["from"], body["to"]) == ("2024-03-13T17:00:00+00:00", "2024-04-19T17:00:00+00:00")
    assert all("2024-03-13T17" <= a["start_utc"] < "2024-04-19T17" for a in body["airings"])
    assert body["airings"]


@pytest.mark.parametrize(("query", "window"), [
    ("from=2024-02-01", ("2024-02-01T00:00:00+00:00", "2024-03-02T00:00:00+00:00")),
    ("to=2024-02-01", ("2024-01-03T00:00:00+00:00", "2024-02-02T00:00:00+00:00")),
    ("from=2024-02-01&tz=Asia/Tokyo", ("2024-02-01T00:00:00+09:00", "2024-03-02T00:00:00+09:00")),
])
def test_one_end_given_makes_a_30_day_window(client, query, window):
    body = client.get(f"/api/v1/schedule?{query}").get_json()
    assert (body["from"], body["to"]) == window


def test_the_same_release_mistake_is_the_same_400_as_the_feed(client):
    # the API once answered 200 with [] for a release the region does not have.
    api = client.get("/api/v1/schedule?region=us&release=fod")
    feed = client.get("/feeds/us.ics?release=fod")
    message = "release 'fod' cannot be watched in United States: releases here are crunchyroll"
    assert_error(api, 400, "invalid_parameter", "release", message)
    assert (feed.status_code, feed.text) == (400, message + "\n")


def test_window_includes_the_to_date(client):
    found = airings(client, "region=us&tz=America/New_York&from=2024-03-06&to=2024-03-13")
    assert sorted(found) == [9, 10]


def test_releases_all_and_release(client):
    every = client.get(f"/api/v1/schedule?region=jp&releases=all&{WHOLE_RUN}").get_json()
    assert len(every["airings"]) == 39
    fod = airings(client, f"region=jp&release=fod&{WHOLE_RUN}")
    assert len(fod) == 13
    assert {a["release_id"] for a in fod.values()} == {"fod"}


def test_lang(client):
    assert airings(client, "region=jp&lang=ja")[3]["episode_title"] == "境界の街"
    assert airings(client, "region=jp&lang=ja")[3]["show_title"] == "メタリックルージュ"


def test_regions(client):
    regions = {r["code"]: r for r in client.get("/api/v1/regions").get_json()["regions"]}
    assert len(regions) == 249
    assert regions["US"] == {"code": "US", "name": "United States",
                             "display_zone": "America/New_York", "show_count": 1,
                             "url": "http://localhost/api/v1/regions/us"}
    assert regions["JP"]["display_zone"] == "Asia/Tokyo"
    assert regions["KR"]["show_count"] == 0
    # Each region's own document lists its shows' ids.
    assert client.get(regions["US"]["url"]).get_json() == {**regions["US"],
                                                          "shows": ["metallic-rouge"]}
    assert client.get(regions["KR"]["url"]).get_json()["shows"] == []


def test_shows(client):
    (show,) = client.get("/api/v1/shows").get_json()["shows"]
    assert show["title"] == {"en": "Metallic Rouge", "ja": "メタリックルージュ"}
    assert show["studio"] == "Bones" and show["episodes"]["count"] == 13
    assert [r["id"] for r in show["releases"]] == ["fuji-tv-ultra", "d-anime-store", "fod",
                                                   "crunchyroll"]
    assert show["feeds"]["US"] == "http://localhost/feeds/us/metallic-rouge.ics"
    assert "KR" not in show["feeds"] and "JP" in show["feeds"]


def test_show_detail_has_every_airing_of_every_release(client):
    body = client.get("/api/v1/shows/metallic-rouge").get_json()
    assert len(body["airings"]) == 52 and body["show"]["id"] == "metallic-rouge"
    paris = client.get("/api/v1/shows/metallic-rouge?tz=Europe/Paris").get_json()["airings"]
    assert paris[0]["start"] == "2024-01-10T16:55:00+01:00"


def test_caching_headers_and_304(client):
    response = client.get("/api/v1/schedule?region=us")
    assert response.headers["Cache-Control"] == "public, max-age=300, s-maxage=60"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    etag = response.headers["ETag"]
    assert not etag.startswith("W/")
    again = client.get("/api/v1/schedule?region=us", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/api/v1/schedule?region=us",
                       headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


def test_same_data_same_bytes(make_app, tmp_path):
    first = make_app().test_client().get("/api/v1/schedule?region=jp&releases=all").data
    second = make_app().test_client().get("/api/v1/schedule?region=jp&releases=all").data
    assert first == second


def test_openapi_describes_every_route_and_parameter(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert sorted(p.removeprefix("/api/v1") for p in document["paths"]) == api_paths(app) == \
        sorted(OPERATIONS)
    schedule = document["paths"]["/api/v1/schedule"]["get"]["parameters"]
    assert [p["name"] for p in schedule] == list(SCHEDULE.names)
    show = document["paths"]["/api/v1/shows/{show}"]["get"]["parameters"]
    assert [p["name"] for p in show if p["in"] == "query"] == list(SHOW.names)


def test_window_edges_before_standard_time_are_rfc_3339(client):
    # Chicago's local mean time was -05:50:36: RFC 3339 offsets have whole minutes, so UTC.
    body = client.get("/api/v1/schedule?from=1800-01-01&tz=America/Chicago").get_json()
    assert (body["from"], body["to"]) == ("1800-01-01T05:50:36Z", "1800-01-31T05:50:36Z")

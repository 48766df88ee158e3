"""Hostile HTTP input on every route: traversal, overlong paths and queries, unknown, repeated and
invalid parameters, other methods. Always a 4xx with a message; never a 5xx."""

from __future__ import annotations

import re

import pytest


# Every test here runs with the whole-response cache on and off (tests/conftest.py): the
# conditional requests it answers itself are answered by Flask alone too.
pytestmark = pytest.mark.both_response_caches

ROUTES = ["/", "/shows/metallic-rouge", "/feeds/us.ics", "/feeds/us/metallic-rouge.ics",
          "/api/v1/regions", "/api/v1/shows", "/api/v1/shows/metallic-rouge", "/api/v1/schedule",
          "/api/v1/openapi.json", "/healthz"]

TRAVERSALS = [
    "/feeds/..%2F..%2Fetc%2Fpasswd.ics", "/feeds/../../etc/passwd.ics",
    "/feeds/us/..%2F..%2Fschedules%2Fmetallic-rouge.ics", "/feeds/%2e%2e/metallic-rouge.ics",
    "/shows/..%2F..%2Fetc%2Fpasswd", "/shows/%2e%2e%2f%2e%2e%2fwsgi.py",
    "/api/v1/shows/..%2F..%2Fetc%2Fpasswd", "/static/../../wsgi.py",
    "/static/..%2F..%2Fwsgi.py", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/feeds/us/metallic-rouge.ics%00.txt", "/feeds/u%00s.ics",
]

BAD_QUERIES = [
    "/feeds/us.ics?lang=ja&lang=en", "/feeds/us.ics?alarm=-1", "/feeds/us.ics?alarm=1e9",
    "/feeds/us.ics?alarm=%00", "/feeds/us.ics?all_day=2", "/feeds/us.ics?tz=../../etc/passwd",
    "/feeds/us.ics?all_day=1&tz=%2Fetc%2Flocaltime", "/feeds/us.ics?release=%3Cscript%3E",
    "/feeds/us.ics?past_days=99999999999999999999", "/feeds/us.ics?unknown=1",
    "/api/v1/schedule?from=2024-13-45", "/api/v1/schedule?to=9999-99-99T99:99",
    "/api/v1/schedule?show=..%2F..%2Fetc", "/api/v1/schedule?region=%F0%9F%8E%8C",
    "/api/v1/schedule?tz=", "/api/v1/schedule?lang=%0D%0ASet-Cookie:x=1",
    "/api/v1/shows/metallic-rouge?tz=Mars/Olympus", "/shows/metallic-rouge?alarm=15&alarm=60",
    "/shows/metallic-rouge?region=..", "/?region=%3Cscript%3E", "/healthz?verbose=1",
]


def assert_4xx_with_message(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:200])
    assert response.data.strip(), "a message"
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_in_route_parameters(client, path):
    assert_4xx_with_message(client.get(path))


@pytest.mark.parametrize("path", BAD_QUERIES)
def test_invalid_and_unknown_parameters(client, path):
    response = client.get(path)
    assert_4xx_with_message(response)
    assert b"Set-Cookie" not in b"".join(k.encode() for k, _ in response.headers)


@pytest.mark.parametrize("route", ROUTES)
def test_overlong_path_and_query(client, route):
    assert_4xx_with_message(client.get(route + "/x" * 2000))
    response = client.get(route + "?lang=" + "a" * 5000)
    assert response.status_code == 414 and b"over the limit of 2048" in response.data


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE"])
@pytest.mark.parametrize("route", ROUTES)
def test_other_methods(client, route, method):
    response = client.open(route, method=method, data=b"x" * 100)
    assert response.status_code in (405, 413), (route, method, response.status_code)
    assert_4xx_with_message(response)


@pytest.mark.parametrize("route", ROUTES)
def test_head_is_get_without_a_body(client, route):
    get, head = client.get(route), client.head(route)
    assert head.status_code == get.status_code and head.data == b""


def test_api_cors_preflight_allows_conditional_requests(client):
    response = client.options("/api/v1/schedule", headers={
        "Origin": "https://widget.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    assert "ETag" in client.get("/api/v1/regions").headers["Access-Control-Expose-Headers"]


def test_no_secret_key_and_no_debug(app):
    assert app.secret_key is None and not app.debug


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_get_or_head_with_a_body_is_a_413(client, route, method):
    """docs/security.md promises 413 for a body: from Flask and from the response cache alike
    (the module runs with the cache on and off)."""
    client.get(route)     # a cached answer must not hide the refusal
    for headers in ({}, {"Transfer-Encoding": "chunked"}):
        response = client.open(route, method=method, data=b"x" * 100, headers=headers)
        assert response.status_code == 413, (route, method, headers)
        assert response.headers["Cache-Control"] == "no-store"
        if method == "GET":
            assert b"takes no request body" in response.data


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules"])
def test_zones_that_are_not_places_are_refused(client, zone):
    # They name the server's own setting, not a place: a feed's dates must not depend on it.
    response = client.get(f"/feeds/us.ics?all_day=1&tz={zone}")
    assert response.status_code == 400 and f"unknown time zone '{zone}'".encode() in response.data
    assert client.get("/feeds/us.ics?all_day=1&tz=Asia/Tokyo").status_code == 200


@pytest.mark.parametrize("path", ["/feeds/ıt.ics", "/feeds/ſe.ics", "/feeds/ıt/metallic-rouge.ics",
                                  "/api/v1/schedule?region=ſe"])
def test_region_codes_are_ascii(client, path):
    # Unicode upper-casing maps 'ı' to 'I' and 'ſ' to 'S'; those are not the codes IT and SE.
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert "unknown region".encode() in response.data and b"such as us or jp" in response.data


def test_control_characters_from_the_url_are_escaped_in_text_errors(client):
    response = client.get("/feeds/u%00.ics")
    assert response.status_code == 404 and response.mimetype == "text/plain"
    assert b"\x00" not in response.data and b"'u\\x00'" in response.data
    assert response.data.count(b"\n") == 1


@pytest.mark.parametrize("path", ["/feeds/us.ics?lang=JA", "/shows/metallic-rouge?lang=JA",
                                  "/api/v1/schedule?lang=Ja", "/api/v1/shows/metallic-rouge?lang=JA"])
def test_lang_is_matched_in_any_case(client, path):
    # Like region codes: JA is ja, and answers exactly what lang=ja answers.
    response = client.get(path)
    assert response.status_code == 200, (path, response.data[:200])
    canonical = path.replace("lang=JA", "lang=ja").replace("lang=Ja", "lang=ja")
    def without_own_address(data):   # a feed's SOURCE and URL repeat the address as asked
        return [line for line in data.split(b"\r\n") if not line.startswith((b"SOURCE", b"URL"))]
    assert without_own_address(response.data) == without_own_address(client.get(canonical).data)


def test_every_route_declares_its_parameters(app):
    # each route reads its request through a declaration (web/params.py `takes`);
    # a route without one would read request.args by hand, past the query layer.
    from calfeed.web.params import declaration_of
    undeclared = [rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and rule.endpoint != "static"
                  and declaration_of(app.view_functions[rule.endpoint]) is None]
    assert undeclared == []


def test_every_declared_api_parameter_is_documented_and_taken(app, client):
    """The OpenAPI document lists exactly the parameters each API route declares, and each one
    it lists is taken (a documented value is not refused as unknown)."""
    from calfeed.web.openapi import PREFIX, api_routes
    document = client.get("/api/v1/openapi.json").get_json()
    for path, declared in api_routes(app).items():
        operation = document["paths"][PREFIX + path]["get"]
        documented = [p["name"] for p in operation["parameters"] if p["in"] == "query"]
        assert documented == list(declared), path
        url = PREFIX + path.replace("{show}", "metallic-rouge")
        for parameter in operation["parameters"]:
            if parameter["in"] != "query":
                continue
            schema = parameter["schema"]
            values = schema.get("enum") or schema.get("items", {}).get("enum") or ["2024-01-10"]
            response = client.get(url, query_string={parameter["name"]: values[0]})
            assert b"unknown parameter" not in response.data, (path, parameter["name"])
    assert client.get("/api/v1/schedule?alarm=15").get_json()["error"]["parameter"] == "alarm"


@pytest.mark.parametrize("path", ["/", "/shows/metallic-rouge", "/shows/metallic-rouge?region=jp",
                                  "/calendars/new?region=jp"])
def test_pages_ignore_tracking_parameters(client, path):
    # a shared link with utm_*/fbclid/gclid must still open the page it names.
    plain = client.get(path)
    tracked = client.get(path + ("&" if "?" in path else "?")
                         + "utm_source=news&utm_campaign=x&fbclid=AbC&gclid=1&mc_eid=2")
    assert plain.status_code == tracked.status_code == 200, tracked.data[:200]


@pytest.mark.parametrize("path", ["/feeds/us.ics?utm_source=x",
                                  "/feeds/us/metallic-rouge.ics?fbclid=1",
                                  "/api/v1/schedule?gclid=1", "/api/v1/regions?utm_medium=x"])
def test_feeds_and_the_api_stay_strict_about_tracking_parameters(client, path):
    response = client.get(path)
    assert response.status_code == 400 and b"unknown parameter" in response.data


@pytest.mark.parametrize(("path", "canonical"), [
    ("/shows/Metallic-Rouge", "/shows/metallic-rouge"),
    ("/shows/METALLIC-ROUGE?region=jp&lang=ja", "/shows/metallic-rouge?region=jp&lang=ja"),
    ("/feeds/us/Metallic-Rouge.ics", "/feeds/us/metallic-rouge.ics"),
    ("/feeds/US/Metallic-Rouge.ics?alarm=15,60&lang=ja",
     "/feeds/US/metallic-rouge.ics?alarm=15,60&lang=ja"),
    ("/api/v1/shows/Metallic-Rouge", "/api/v1/shows/metallic-rouge"),
    ("/api/v1/shows/Metallic-Rouge?tz=Asia/Tokyo", "/api/v1/shows/metallic-rouge?tz=Asia/Tokyo"),
])
def test_show_ids_in_any_case_redirect_to_the_canonical_url(client, path, canonical):
    # show ids were once case-sensitive while regions were not.
    response = client.get(path)
    assert response.status_code == 301 and response.headers["Location"] == canonical
    assert client.get(canonical).status_code == 200
    unknown = re.sub("(?i)metallic-rouge", "No-Such-Show", path)
    assert client.get(unknown).status_code == 404


def test_show_parameter_in_any_case(client):
    lower = client.get("/api/v1/schedule?show=metallic-rouge").get_json()
    assert client.get("/api/v1/schedule?show=Metallic-Rouge").get_json() == lower
    response = client.get("/api/v1/schedule?show=Metallic-Rouge&show=metallic-rouge")
    assert response.status_code == 400
    assert "same show twice" in response.get_json()["error"]["message"]

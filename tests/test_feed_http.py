"""Feed routes and their HTTP: statuses, content types, validators, 304s, HEAD, errors."""

from __future__ import annotations

import pytest


# Every test here runs with the whole-response cache on and off (tests/conftest.py): the
# conditional requests it answers itself are answered by Flask alone too.
pytestmark = pytest.mark.both_response_caches

CALENDAR = "text/calendar; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@pytest.mark.parametrize(("path", "status", "content_type"), [
    ("/feeds/us/metallic-rouge.ics", 200, CALENDAR),
    ("/feeds/US/metallic-rouge.ics", 200, CALENDAR),
    ("/feeds/jp/metallic-rouge.ics", 200, CALENDAR),
    ("/feeds/us.ics", 200, CALENDAR),
    ("/feeds/Jp.ics", 200, CALENDAR),
    ("/feeds/kr.ics", 200, CALENDAR),            # known region, no shows: an empty calendar
    ("/feeds/kr/metallic-rouge.ics", 404, TEXT),  # not watchable there
    ("/feeds/zz.ics", 404, TEXT),
    ("/feeds/usa.ics", 404, TEXT),
    ("/feeds/zz/metallic-rouge.ics", 404, TEXT),
    ("/feeds/us/no-such-show.ics", 404, TEXT),
    ("/feeds/us.ics?alarm=15", 200, CALENDAR),
    ("/feeds/us.ics?alarm=-5", 400, TEXT),
    ("/feeds/us.ics?colour=red", 400, TEXT),
])
def test_route_table(client, path, status, content_type):
    response = client.get(path)
    assert (response.status_code, response.content_type) == (status, content_type)
    assert response.data, "never an empty body"


@pytest.mark.parametrize(("path", "message"), [
    ("/feeds/zz.ics", "unknown region 'zz': use an ISO 3166-1 alpha-2 code such as us or jp"),
    ("/feeds/uk/metallic-rouge.ics", "unknown region 'uk', did you mean 'GB'? Use an ISO 3166-1 "
                                     "alpha-2 code such as us or jp"),
    ("/feeds/us/metalic-rouge.ics", "unknown show 'metalic-rouge': shows are metallic-rouge"),
    ("/feeds/kr/metallic-rouge.ics",
     "Metallic Rouge cannot be watched in South Korea (KR) on any release calfeed knows of; "
     "where it can: Fuji TV +Ultra: JP; d Anime Store: JP; FOD: JP; "
     "Crunchyroll: world except asia"),
])
def test_not_found_says_one_line_and_what_to_do(client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert response.text == message + "\n"


def test_feed_headers(client):
    response = client.get("/feeds/us/metallic-rouge.ics")
    assert response.headers["Content-Type"] == CALENDAR
    assert response.headers["Content-Disposition"] == 'inline; filename="metallic-rouge-us.ics"'
    assert response.headers["Cache-Control"] == "public, max-age=10800, s-maxage=60"
    assert response.headers["Last-Modified"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith('W/')
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert not response.data.startswith(b"\xef\xbb\xbf"), "no byte order mark"


def test_etag_is_of_the_exact_bytes(client):
    import hashlib
    first, second = client.get("/feeds/us.ics"), client.get("/feeds/us.ics")
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()[:32]}"'
    other = client.get("/feeds/us.ics?alarm=15")
    assert other.headers["ETag"] != first.headers["ETag"]


def test_if_none_match_gives_304_without_body(client):
    etag = client.get("/feeds/us/metallic-rouge.ics").headers["ETag"]
    response = client.get("/feeds/us/metallic-rouge.ics", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == etag
    stale = client.get("/feeds/us/metallic-rouge.ics", headers={"If-None-Match": '"old"'})
    assert stale.status_code == 200


def test_if_modified_since_gives_304(client):
    modified = client.get("/feeds/us/metallic-rouge.ics").headers["Last-Modified"]
    response = client.get("/feeds/us/metallic-rouge.ics",
                          headers={"If-Modified-Since": modified})
    assert response.status_code == 304
    older = client.get("/feeds/us/metallic-rouge.ics",
                       headers={"If-Modified-Since": "Sun, 31 Dec 2023 23:59:59 GMT"})
    assert older.status_code == 200


def test_if_none_match_wins_over_if_modified_since(client):
    modified = client.get("/feeds/us/metallic-rouge.ics").headers["Last-Modified"]
    response = client.get("/feeds/us/metallic-rouge.ics",
                          headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert response.status_code == 200


def test_head_gives_the_same_headers_as_get(client):
    get = client.get("/feeds/jp/metallic-rouge.ics?lang=ja")
    head = client.head("/feeds/jp/metallic-rouge.ics?lang=ja")
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control",
                 "Content-Disposition"):
        assert head.headers[name] == get.headers[name]


def test_feed_url_is_never_negotiated_away(client):
    """Google sends no Accept header; browsers send text/html. Both get the calendar."""
    for accept in (None, "text/html", "application/json"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/feeds/us/metallic-rouge.ics", headers=headers)
        assert response.content_type == CALENDAR


def test_a_failure_is_a_5xx_with_a_body_never_an_empty_200(client, app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr("calfeed.web.views.show_feed", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/feeds/us/metallic-rouge.ics")
    assert response.status_code == 500
    assert response.text == "calfeed could not build this response; please try again later\n"
    # The failure is not remembered: once the fault is gone the same URL serves the feed.
    monkeypatch.undo()
    assert client.get("/feeds/us/metallic-rouge.ics").status_code == 200


def test_an_unknown_show_is_404_before_its_parameters_are_read(client):
    response = client.get("/feeds/us/no-such-show.ics?lang=ja&colour=red")
    assert response.status_code == 404
    assert response.text == "unknown show 'no-such-show': shows are metallic-rouge\n"

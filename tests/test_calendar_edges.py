"""The smaller edges of personal calendars and their neighbours: forms only from this origin,
the __Host- cookie over HTTPS, the 303's headers, list files in other encodings or gzip, errors
that quote a bounded prefix, region and show ids parsed as every route parses them, OPTIONS."""

from __future__ import annotations

import gzip
import html
import io

import pytest

from tests.test_my_calendar import create, token

FORM = {"region": "jp", "show": "metallic-rouge"}


@pytest.mark.parametrize("headers, allowed", [
    ({"Origin": "http://localhost"}, True),
    ({"Sec-Fetch-Site": "same-origin"}, True),
    ({}, False),                                  # a client naming neither must send Origin
    ({"Origin": "http://evil.example"}, False),
    ({"Origin": "http://localhost:8080"}, False),        # another port: another origin
    ({"Origin": "null"}, False),
    ({"Sec-Fetch-Site": "same-site"}, False),            # a sibling host or port
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, True),   # under no-referrer
    ({"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"}, False),
])
def test_a_form_is_taken_only_from_this_origin(calendar_client, headers, allowed):
    plain = calendar_client.application.test_client()        # sends no header of its own
    answer = plain.post("/calendars", data=FORM, headers=headers)
    assert answer.status_code == (303 if allowed else 403), answer.text
    if not allowed:
        assert "sent from another site" in html.unescape(answer.text)


def test_over_https_the_calendar_cookie_has_the_host_prefix(calendar_client):
    """The one cookie holding a secret, the edit key this browser keeps: over HTTPS no sibling
    host or plain-HTTP page can plant another."""
    answer = calendar_client.post("/calendars", data=FORM, base_url="https://localhost",
                                  headers={"Origin": "https://localhost"})
    assert answer.status_code == 303
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("__Host-calfeed_calendar=") and "Secure" in cookie
    assert "Path=/;" in cookie and "Domain" not in cookie and "HttpOnly" in cookie
    plain = calendar_client.post("/calendars", data=FORM, headers={"Origin": "http://localhost"})
    assert plain.headers["Set-Cookie"].startswith("calfeed_calendar=")
    assert "Path=/calendars" in plain.headers["Set-Cookie"]


def test_form_pages_name_only_the_origin_so_browsers_send_it(calendar_client):
    """Under no-referrer, browsers send `Origin: null` with the form (the keyboard test in
    Chromium was refused): pages holding forms and an edit key say strict-origin, which never
    names their path; the new form, the same for everyone, is cached and names no policy."""
    page = calendar_client.get("/calendars/new?region=jp")
    assert page.headers["Cache-Control"].startswith("public") and "Set-Cookie" not in page.headers
    answer = create(calendar_client)
    edit = calendar_client.get(answer.headers["Location"])
    assert edit.headers["Referrer-Policy"] == "strict-origin"
    assert edit.headers["Cache-Control"] == "no-store"


def test_the_303_after_a_save_is_neither_stored_nor_referred(calendar_client):
    answer = create(calendar_client)
    assert answer.status_code == 303
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    edit_path = answer.headers["Location"].split("?")[0]
    answer = calendar_client.post(edit_path, data={**FORM, "csrf_token": token(calendar_client)})
    assert answer.status_code == 303 and answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def import_list(client, data: bytes, filename: str = "animelist.xml", **fields):
    return client.post("/calendars/import", data={
        "csrf_token": token(client), "region": "jp", **fields,
        "list": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


MAL = (b"<myanimelist><anime><series_animedb_id>54744</series_animedb_id></anime>"
       b"</myanimelist>")


@pytest.mark.parametrize("encoding", ["UTF-7", "made-up"])
def test_a_list_declaring_an_unknown_encoding_is_a_400_saying_so(calendar_client, encoding):
    declared = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    answer = import_list(calendar_client, declared + MAL)
    assert answer.status_code == 400, answer.text
    assert "declares an encoding calfeed cannot read" in html.unescape(answer.text)


def test_a_gzip_export_is_read_and_a_broken_one_says_to_unpack_it(calendar_client):
    answer = import_list(calendar_client, gzip.compress(MAL), "animelist_1.xml.gz")
    assert answer.status_code == 200, answer.text
    assert "MyAnimeList 54744" in answer.text      # read: its one entry named as unmatched
    answer = import_list(calendar_client, gzip.compress(MAL)[:30], "animelist_1.xml.gz")
    assert answer.status_code == 400 and "unpack it first" in html.unescape(answer.text)
    bomb = gzip.compress(b"<myanimelist>" + b" " * 30_000_000 + b"</myanimelist>")
    answer = import_list(calendar_client, bomb, "animelist_1.xml.gz")
    assert answer.status_code == 400
    assert "unpacked, the file is over" in html.unescape(answer.text)


# A region and a show id on the form, the import and the buttons: tests/test_entry_points.py.


LONG = "x" * 60_000


@pytest.mark.parametrize("fields", [{"show": LONG}, {"region": LONG}, {"lang": LONG},
                                    {LONG: "1"}])     # an unknown field's name
def test_errors_quote_a_bounded_prefix_of_a_long_value(calendar_client, fields):
    """A 60 KB show value made a 61 KB error page."""
    answer = create(calendar_client, **fields)
    assert answer.status_code in (400, 404), answer.text
    assert len(answer.data) < 8_000 and "x" * 60 + "…" in html.unescape(answer.text)
    assert "60,000 characters" in html.unescape(answer.text)


def test_a_region_group_is_not_its_own_suggestion(calendar_client):
    answer = calendar_client.get("/api/v1/regions/world")
    message = answer.get_json()["error"]["message"]
    assert answer.status_code == 404 and "did you mean 'world'" not in message
    assert "world is a group of countries" in message


@pytest.mark.parametrize("path, allow", [
    ("/feeds/us.ics", "GET, HEAD"), ("/", "GET, HEAD"), ("/calendars", "POST"),
    ("/calendars/new", "GET, HEAD"),
])
def test_only_the_api_answers_options(calendar_client, path, allow):
    answer = calendar_client.open(path, method="OPTIONS", headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert answer.status_code == 405 and answer.headers["Allow"] == allow
    assert "Access-Control-Allow-Origin" not in answer.headers
    preflight = calendar_client.open("/api/v1/shows", method="OPTIONS", headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"

"""Personal calendars behind the shipped proxy cache (deploy/nginx/proxy-cache.conf), with real
nginx: a deleted calendar's feed answers 410, body limits agree with the app's, and edit keys
stay out of the access logs (nginx's and granian's)."""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse

import pytest

from tests.browser import live_server
from tests.nginx import fetch, free_port, nginx
from tests.test_my_calendar import made, token

SHARED_MAX_AGE = 2


@pytest.fixture
def behind_nginx(make_app, two_shows, tmp_path):
    """(app, nginx's base URL, nginx's folder) as proxy-cache.conf says to run the app."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = make_app(two_shows, TRUSTED_PROXIES=1, PUBLIC_URL=base, TESTING=False,
                   SHARED_MAX_AGE_SECONDS=SHARED_MAX_AGE,
                   CALENDARS_PATH=str(tmp_path / "calendars.sqlite3"))
    folder = tmp_path / "nginx"
    with live_server(app) as upstream, nginx("proxy-cache.conf", folder, listen=port,
                                             upstream=int(upstream.rsplit(":", 1)[1])):
        yield app, base, folder


def test_a_deleted_calendars_feed_answers_410_within_the_shared_max_age(behind_nginx):
    """As reproduced: after a delete the feed answered 200 HIT, then 200 STALE for as long as it
    was watched, because the 410 carried no-store and nginx kept its stale copy."""
    app, base, _ = behind_nginx
    client = app.test_client()
    edit_path, feed_path = made(client)
    feed_path = urllib.parse.urlsplit(feed_path).path
    assert fetch(base + feed_path)[0] == 200
    status, headers, _ = fetch(base + feed_path)
    assert (status, headers["X-Cache-Status"]) == (200, "HIT")
    assert client.post(edit_path + "/delete", data={"csrf_token": token(client)}) \
        .status_code == 200
    deleted = time.monotonic()
    answers = []
    while time.monotonic() - deleted < SHARED_MAX_AGE + 8:
        status, headers, body = fetch(base + feed_path)
        answers.append((round(time.monotonic() - deleted, 1), status,
                        headers["X-Cache-Status"]))
        if status == 410:
            break
        time.sleep(0.2)
    assert answers[-1][1] == 410, answers
    assert answers[-1][0] < SHARED_MAX_AGE + 3, answers     # the max-age, and one update
    assert b"deleted by its owner" in body
    for _ in range(3):
        assert fetch(base + feed_path)[0] == 410


def form_session(base: str) -> tuple[str, str]:
    """(cookie, token) to send a form with: none since forms are judged by their Origin (which
    post() sends); the new form sets no cookie."""
    _, headers, _ = fetch(base + "/calendars/new?region=jp")
    assert "Set-Cookie" not in headers
    return "", ""


def post(base: str, path: str, body: bytes, content_type: str, cookie: str,
         chunked: bool = False) -> tuple[int, bytes]:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": content_type, "Cookie": cookie, "Origin": base}
    try:
        connection.request("POST", path, body=iter([body]) if chunked else body,
                           headers=headers, encode_chunked=chunked)
        answer = connection.getresponse()
        return answer.status, answer.read()
    except (BrokenPipeError, ConnectionResetError):
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def multipart(fields: dict[str, str], file: bytes) -> tuple[bytes, str]:
    boundary = "calfeedtestboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="list"; '
                 f'filename="animelist.xml"\r\nContent-Type: text/xml\r\n\r\n'.encode() + file
                 + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def test_body_limits_agree_with_the_apps(behind_nginx):
    """A 3.2 MB MyAnimeList export the app accepts got nginx's own 413 page (no
    client_max_body_size); over the app's limits, the app's 413 says which limit."""
    _, base, _ = behind_nginx
    cookie, csrf = form_session(base)
    entries = b"".join(b"<anime><series_animedb_id>%d</series_animedb_id></anime>" % n
                       for n in range(60_000))
    export = b"<myanimelist>" + entries + b"</myanimelist>"
    assert 3_000_000 < len(export) < 5_000_000
    body, content_type = multipart({"csrf_token": csrf, "region": "jp"}, export)
    status, text = post(base, "/calendars/import", body, content_type, cookie)
    assert status == 400 and b"60000 entries, over the 5000 read" in text, re.findall(rb"error-message.*", text)
    body, content_type = multipart({"csrf_token": csrf, "region": "jp"},
                                   export + b" " * 2_000_000)
    status, text = post(base, "/calendars/import", body, content_type, cookie)
    assert status == 413 and b"over the limit of 5000000 bytes" in text     # the app's
    form = urllib.parse.urlencode({"csrf_token": csrf, "region": "jp",
                                   "show": "x" * 100_000}).encode()
    for chunked in (False, True):
        status, text = post(base, "/calendars", form, "application/x-www-form-urlencoded",
                            cookie, chunked=chunked)
        assert status == 413 and b"over the limit of 64000 bytes" in text, chunked
    status, _ = post(base, "/calendars/import", b"x" * 7_000_000, content_type, cookie)
    assert status == 413                                                     # nginx's


def test_edit_keys_stay_out_of_nginx_access_log(behind_nginx):
    app, base, folder = behind_nginx
    edit_path, _ = made(app.test_client())
    key = edit_path.rsplit("/", 1)[1]
    for path in (edit_path, edit_path + "/shows.json", "/calendars/mine",
                 "/calendars/shows.json?region=jp&q=metal", "/calendars/new?region=jp"):
        fetch(base + path)
    deadline = time.monotonic() + 5
    while "/calendars/new" not in (folder / "access.log").read_text() and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    log = (folder / "access.log").read_text()
    assert key not in log
    assert '"GET /calendars/EDIT-KEY HTTP/1.1" 200' in log
    assert '"GET /calendars/EDIT-KEY/shows.json HTTP/1.1" 200' in log
    assert '"GET /calendars/new?region=jp HTTP/1.1" 200' in log
    # The forms' own addresses, holding no key, are logged as they are.
    assert '"GET /calendars/mine HTTP/1.1" 200' in log
    assert '"GET /calendars/shows.json?region=jp&q=metal HTTP/1.1" 200' in log


def test_forms_from_one_address_are_rate_limited_by_nginx(behind_nginx):
    _, base, _ = behind_nginx
    cookie, csrf = form_session(base)
    form = urllib.parse.urlencode({"csrf_token": csrf, "region": "jp",
                                   "show": "metallic-rouge"}).encode()
    statuses = [post(base, "/calendars", form, "application/x-www-form-urlencoded", cookie)[0]
                for _ in range(16)]
    assert 429 in statuses and statuses[0] == 303, statuses
    assert fetch(base + "/feeds/jp/metallic-rouge.ics")[0] == 200    # reads are not limited


def test_edit_keys_stay_out_of_granians_access_log(tmp_path):
    from bench.loopback import wait_for
    from tests.test_production_server import serve, stop, wait_for_text
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_IMPORT": "0",
                     "CALFEED_CALENDARS_PATH": str(tmp_path / "c.sqlite3")}, log)
    try:
        wait_for(f"{base}/calendars/new?region=jp", process)
        cookie, csrf = form_session(base)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/calendars", body=urllib.parse.urlencode({
            "csrf_token": csrf, "region": "jp", "show": "metallic-rouge"}), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Origin": base})
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 303
        edit_path = urllib.parse.urlsplit(answer.headers["Location"]).path
        key = edit_path.rsplit("/", 1)[1]
        assert fetch(base + edit_path + "/shows.json")[0] == 200
        text = wait_for_text(log, '"GET /calendars/EDIT-KEY/shows.json HTTP/1.1" 200')
    finally:
        stop(process)
    assert '"GET /calendars/EDIT-KEY/shows.json HTTP/1.1" 200' in text, text[-2000:]
    assert '"GET /calendars/new HTTP/1.1" 200' in text
    assert key not in text

"""Bodies past their route's limit are refused with 413 while they are read, however they are
framed (Content-Length or chunked) and encoded (urlencoded or multipart), before any parsing."""

from __future__ import annotations

import http.client
import io
import os

import pytest

from tests.test_my_calendar import made, token

FORM_LIMIT, IMPORT_LIMIT = 2_000, 20_000


@pytest.fixture
def limited_client(make_app, two_shows, tmp_path):
    """A client of an app on two shows whose forms and list files have small limits."""
    return make_app(two_shows, CALENDARS_PATH=str(tmp_path / "c.sqlite3"),
                    CALENDAR_FORM_MAX_BYTES=FORM_LIMIT,
                    CALENDAR_IMPORT_MAX_BYTES=IMPORT_LIMIT).test_client()


def routes(client) -> dict[str, int]:
    """Every route that takes a body, with its limit."""
    edit_path, _ = made(client, show="metallic-rouge")
    return {"/calendars": FORM_LIMIT, edit_path: FORM_LIMIT, edit_path + "/delete": FORM_LIMIT,
            "/calendars/import": IMPORT_LIMIT}


class Endless(io.RawIOBase):
    """A body that never ends, counting what was read of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"a" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def chunked(client, path: str, content_type: str, stream):
    """What granian gives the app for `Transfer-Encoding: chunked`: no Content-Length, and
    wsgi.input_terminated (the server ends the stream)."""
    return client.post(path, data=b"", content_type=content_type,
                       headers={"Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input": stream, "wsgi.input_terminated": True})


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=xyz"])
def test_a_chunked_body_past_the_limit_is_refused_at_every_route(limited_client, content_type):
    for path, limit in routes(limited_client).items():
        token(limited_client)
        body = Endless()
        answer = chunked(limited_client, path, content_type, io.BufferedReader(body, 4096))
        assert answer.status_code == 413, (path, answer.text)
        assert f"over the limit of {limit} bytes" in answer.text, path
        assert body.read_bytes < limit + 70_000, path     # read up to the limit, then stopped


def test_a_content_length_past_the_limit_is_refused_before_reading(limited_client):
    for path, limit in routes(limited_client).items():
        body = Endless()
        answer = limited_client.post(
            path, data=b"", content_type="application/x-www-form-urlencoded",
            environ_overrides={"wsgi.input": io.BufferedReader(body, 4096),
                               "CONTENT_LENGTH": str(limit + 1)})
        assert answer.status_code == 413 and f"{limit + 1} bytes" in answer.text, path
        assert body.read_bytes == 0, path


def test_a_multipart_file_past_the_import_limit_is_refused(limited_client):
    answer = limited_client.post("/calendars/import", data={
        "csrf_token": token(limited_client), "region": "jp",
        "list": (io.BytesIO(b"<myanimelist>" + b" " * IMPORT_LIMIT), "animelist.xml")},
        content_type="multipart/form-data")
    assert answer.status_code == 413 and "export a shorter list" in answer.text


def test_a_chunked_body_within_the_limit_is_read(limited_client):
    form = f"region=jp&show=metallic-rouge&csrf_token={token(limited_client)}".encode()
    answer = chunked(limited_client, "/calendars", "application/x-www-form-urlencoded",
                     io.BytesIO(form))
    assert answer.status_code == 303, answer.text


def test_under_granian_a_chunked_body_is_refused_past_the_limit(tmp_path):
    """As reproduced: a 160 MB MyAnimeList export sent chunked was parsed in full (10 s, the
    worker from 285 to 1,214 MB). Sent here through granian as `make run` starts it."""
    from bench.loopback import free_port, wait_for
    from tests.test_production_server import serve, stop
    port = free_port()
    process = serve({"CALFEED_BIND": f"127.0.0.1:{port}", "CALFEED_IMPORT": "0",
                     "CALFEED_CALENDARS_PATH": str(tmp_path / "c.sqlite3")},
                    tmp_path / "server.log")
    try:
        wait_for(f"http://127.0.0.1:{port}/calendars/new", process)
        for path, content_type, limit in (
                ("/calendars/import", "multipart/form-data; boundary=xyz", 5_000_000),
                ("/calendars", "application/x-www-form-urlencoded", 64_000)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.putrequest("POST", path)
            connection.putheader("Content-Type", content_type)
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            sent = 0
            try:
                while sent < 50_000_000:
                    chunk = os.urandom(32_768).hex().encode()
                    connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
            except OSError:
                pass                # the server answered and closed: stop sending
            answer = connection.getresponse()
            text = answer.read().decode()
            assert answer.status == 413, (path, text[:200])
            assert f"over the limit of {limit} bytes" in text, path
            assert sent < 50_000_000, path
            connection.close()
    finally:
        stop(process)

"""The shipped nginx configurations with real nginx: a static export, and the app behind the
proxy cache. Both must send the right Content-Type, ETag and 304s, and feeds that parse and
match the app's own bytes. And an export killed halfway leaves the old one served."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from calfeed.web import state
from calfeed.web.export import export_site
from tests.browser import live_server
from tests.nginx import fetch, free_port, nginx
from tests.parsers import PARSERS

ROOT = Path(__file__).resolve().parent.parent
CALENDAR = "text/calendar; charset=utf-8"
JSON = "application/json"
HTML = "text/html; charset=utf-8"
PATHS = [  # (path, content type)
    ("/feeds/us/metallic-rouge.ics", CALENDAR),
    ("/feeds/jp/metallic-rouge.ics", CALENDAR),
    ("/feeds/jp.ics", CALENDAR),
    ("/api/v1/shows", JSON),
    ("/api/v1/shows/metallic-rouge", JSON),
    ("/api/v1/regions", JSON),
    ("/shows/metallic-rouge", HTML),
    ("/", HTML),
]


@pytest.fixture(scope="module")
def app(make_module_app):
    return make_module_app(TRUSTED_PROXIES=1, TESTING=False)


def own_bytes(app, base: str, path: str) -> bytes:
    return app.test_client().get(path, base_url=base).data


def check_calendar(body: bytes, expected: bytes) -> None:
    assert body == expected
    for name, parse in PARSERS.items():
        assert len(parse(body)) == body.count(b"BEGIN:VEVENT\r\n"), name


def check_compressed(url: str, expected: bytes) -> None:
    """Asked with Accept-Encoding: gzip, as calendar clients and browsers ask: the same bytes
    compressed, and a 304 for the (now weak) ETag it carries."""
    status, headers, body = fetch(url, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip", url
    assert gzip.decompress(body) == expected and len(body) * 3 < len(expected), url
    assert "Accept-Encoding" in headers["Vary"]
    status, _, body = fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b""), url


def check_conditional(url: str, headers) -> None:
    assert headers["ETag"]
    status, again, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"") and again["ETag"] == headers["ETag"]
    if headers["Last-Modified"]:
        status, _, _ = fetch(url, {"If-Modified-Since": headers["Last-Modified"]})
        assert status == 304


def test_static_export_served_by_nginx(app, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with app.app_context():
        export_site(app, state.current(), tmp_path / "site", base_url=base,
                    regions=["us", "jp", "gb"])
    with nginx("static-export.conf", tmp_path / "nginx", listen=port, root=tmp_path / "site"):
        for path, content_type in PATHS:
            status, headers, body = fetch(base + path)
            assert status == 200, path
            assert headers["Content-Type"] == content_type, path
            assert body == own_bytes(app, base, path), path
            check_conditional(base + path, headers)
            if content_type == CALENDAR:
                check_calendar(body, own_bytes(app, base, path))
                assert headers["Cache-Control"] == "public, max-age=10800"
                app_headers = app.test_client().get(path, base_url=base).headers
                assert headers["Last-Modified"] == app_headers["Last-Modified"]
        for path in ("/feeds/jp.ics", "/api/v1/shows/metallic-rouge", "/"):
            check_compressed(base + path, own_bytes(app, base, path))
        _, headers, _ = fetch(base + "/feeds/us/metallic-rouge.ics")
        assert headers["Content-Disposition"] == 'inline; filename="metallic-rouge-us.ics"'
        _, headers, _ = fetch(base + "/api/v1/regions")
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert fetch(base + "/feeds/zz.ics")[0] == 404
        status, headers, body = fetch(base + "/feeds/us.ics", method="HEAD")
        assert (status, body) == (200, b"") and headers["Content-Type"] == CALENDAR


def public_app(make_app, base: str):
    """The app as deploy/nginx/proxy-cache.conf says to run it: behind one proxy, with its
    public address set."""
    return make_app(TRUSTED_PROXIES=1, PUBLIC_URL=base, TESTING=False)


def test_app_behind_the_shipped_proxy_cache(make_app, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = public_app(make_app, base)
    with live_server(app) as upstream, nginx("proxy-cache.conf", tmp_path / "nginx",
                                             listen=port,
                                             upstream=int(upstream.rsplit(":", 1)[1])):
        for path, content_type in PATHS:
            status, headers, body = fetch(base + path)
            assert status == 200 and headers["Content-Type"] == content_type, path
            # The feed names the address the client used, not the upstream's.
            assert body == own_bytes(app, base, path), path
            app_headers = app.test_client().get(path, base_url=base).headers
            assert headers["ETag"] == app_headers["ETag"]
            status, cached, again = fetch(base + path)
            assert cached["X-Cache-Status"] == "HIT" or content_type == HTML, path
            assert again == body
            check_conditional(base + path, headers)
            if content_type == CALENDAR:
                check_calendar(body, own_bytes(app, base, path))
        for path in ("/feeds/jp.ics", "/api/v1/shows/metallic-rouge"):
            check_compressed(base + path, own_bytes(app, base, path))
        status, headers, body = fetch(base + "/api/v1/schedule?tz=Asia/Tokio")
        assert status == 400 and b'"parameter": "tz"' in body


def cache_files(folder: Path) -> int:
    return sum(1 for p in (folder / "cache").rglob("*") if p.is_file())


def test_made_up_host_headers_share_one_cache_entry_naming_the_public_address(make_app,
                                                                               tmp_path):
    """Through the shipped proxy cache, 30 Host values for one URL are one nginx entry and one
    app answer, and every answer names the configured address, never the Host sent."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = public_app(make_app, base)
    asked: list[str] = []
    inner = app.wsgi_app

    def counting(environ, start_response):
        asked.append(environ["PATH_INFO"])
        return inner(environ, start_response)
    app.wsgi_app = counting
    folder = tmp_path / "nginx"
    with live_server(app) as upstream, nginx("proxy-cache.conf", folder, listen=port,
                                             upstream=int(upstream.rsplit(":", 1)[1])):
        path = "/api/v1/shows"
        bodies = set()
        for n in range(30):
            status, headers, body = fetch(base + path, {"Host": f"h{n}.attacker.example"})
            assert status == 200
            assert headers["X-Cache-Status"] == ("MISS" if n == 0 else "HIT"), n
            bodies.add(body)
        assert len(bodies) == 1 and b"attacker" not in body
        assert f'"{base}/feeds/'.encode() in body
        assert asked == [path] and cache_files(folder) == 1


def test_an_interrupted_export_leaves_the_previous_one_served(tmp_path):
    target = tmp_path / "site"
    env = {**os.environ, "CALFEED_STATE_PATH": str(tmp_path / "state.sqlite3")}
    command = [sys.executable, "-m", "calfeed.cli", "export", str(target),
               "--base-url", "http://127.0.0.1:8000"]
    subprocess.run(command + ["--regions", "us"], env=env, check=True, capture_output=True)
    served = target.resolve()
    before = {p: p.read_bytes() for p in served.rglob("*") if p.is_file()}

    synthetic = tmp_path / "synthetic"
    subprocess.run([sys.executable, "-m", "calfeed.cli", "synth", "40", str(synthetic)],
                   check=True, capture_output=True)
    process = subprocess.Popen(command, env={**env, "CALFEED_SCHEDULES_DIR": str(synthetic)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        builds = [p for p in tmp_path.glob(".site.*") if p.is_dir() and p != served]
        if builds and sum(1 for _ in builds[0].rglob("*.ics")) > 100:
            break
        assert process.poll() is None, "the export finished before it could be interrupted"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert target.resolve() == served
    assert {p: p.read_bytes() for p in served.rglob("*") if p.is_file()} == before
    finished = subprocess.run(command + ["--regions", "us"], env=env, capture_output=True,
                              text=True)
    assert finished.returncode == 0, finished.stderr
    assert [p for p in tmp_path.glob(".site.*") if p.is_dir()] == [target.resolve()]

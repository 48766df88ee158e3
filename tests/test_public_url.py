"""PUBLIC_URL: with it set, every absolute URL names it whatever Host a request sends, and no
cache keeps an entry per Host; without it (development) the Host is used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from calfeed.cli import cli
from calfeed.web import state
from calfeed.web.public_url import PublicURLError, parse_public_url

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://calfeed.example.org"
FEED = "/feeds/us/metallic-rouge.ics"


def json_memo_keys(app) -> list:
    return [key for key in state.service(app).published._memo if key[0] == "json"]


def test_every_absolute_url_names_the_public_address_whatever_the_host(make_app):
    app = make_app(PUBLIC_URL=PUBLIC + "/", TRUSTED_PROXIES=1)
    client = app.test_client()
    for host in ("attacker.example", "127.0.0.1:8000"):
        headers = {"X-Forwarded-Host": "forwarded.example", "X-Forwarded-Proto": "http"}
        feed = client.get(FEED, base_url=f"http://{host}", headers=headers).data
        assert f"URL;VALUE=URI:{PUBLIC}{FEED}\r\n".encode() in feed
        page = client.get("/shows/metallic-rouge?region=us", base_url=f"http://{host}",
                          headers=headers).data
        assert f'value="{PUBLIC}{FEED}"'.encode() in page
        assert f"webcal://calfeed.example.org{FEED}".encode() in page
        shows = client.get("/api/v1/shows", base_url=f"http://{host}", headers=headers).data
        assert f'"{PUBLIC}{FEED}"'.encode() in shows
        for body in (feed, page, shows):
            assert host.encode() not in body and b"forwarded.example" not in body


def test_made_up_hosts_mint_no_cache_entries_with_a_public_address(make_app):
    app = make_app(PUBLIC_URL=PUBLIC)
    client = app.test_client()
    for n in range(100):
        for path in (FEED, "/api/v1/shows", "/api/v1/regions"):
            assert client.get(path, base_url=f"http://h{n}.example").status_code == 200
    assert len(state.service(app).response_cache) == 3
    uncached = make_app(PUBLIC_URL=PUBLIC, RESPONSE_CACHE_SECONDS=0)
    client = uncached.test_client()
    for n in range(100):
        client.get("/api/v1/shows", base_url=f"http://h{n}.example")
    assert len(json_memo_keys(uncached)) == 1


def test_without_a_public_address_urls_name_the_host(make_app):
    app = make_app()
    client = app.test_client()
    feed = client.get(FEED, base_url="http://dev.example:5000").data
    assert f"URL;VALUE=URI:http://dev.example:5000{FEED}\r\n".encode() in feed
    for n in range(5):
        client.get(FEED, base_url=f"http://h{n}.example")
    assert len(state.service(app).response_cache) == 6


def test_a_public_address_under_a_path(make_app):
    client = make_app(PUBLIC_URL="https://example.org/calfeed/").test_client()
    feed = client.get(FEED, base_url="http://anything.example").data
    assert f"URL;VALUE=URI:https://example.org/calfeed{FEED}\r\n".encode() in feed


@pytest.mark.parametrize("value, expected", [
    ("https://Calfeed.Example.org:443", "https://calfeed.example.org"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ("http://[::1]:80", "http://[::1]"),
])
def test_public_addresses_are_written_one_way(value, expected):
    assert str(parse_public_url(value)) == expected


@pytest.mark.parametrize("value, says", [
    ("calfeed.example.org", "needs an http:// or https:// scheme"),
    ("ftp://calfeed.example.org", "needs an http:// or https:// scheme"),
    ("https://calfeed.example.org/?x=1", "holds a query"),
    ("https://user@calfeed.example.org", "user"),
    ("https://calfeed.example.org:99999", "is not a URL"),
])
def test_an_unusable_public_address_is_refused_saying_what_to_write(value, says):
    with pytest.raises(PublicURLError) as refused:
        parse_public_url(value)
    assert f"CALFEED_PUBLIC_URL '{value}'" in str(refused.value) and says in str(refused.value)
    assert "such as https://calfeed.example.org" in str(refused.value)


def test_make_run_refuses_an_unusable_public_address_before_starting(tmp_path):
    env = {**os.environ, "CALFEED_PUBLIC_URL": "calfeed.example.org",
           "CALFEED_STATE_PATH": str(tmp_path / "state.sqlite3")}
    result = subprocess.run([sys.executable, str(ROOT / "deploy" / "serve.py")], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "CALFEED_PUBLIC_URL 'calfeed.example.org' needs an http:// or https:// scheme and a "
        "host: give the address clients use, such as https://calfeed.example.org")


def test_an_export_names_its_base_url_over_the_configured_public_address(tmp_path):
    env = {"CALFEED_PUBLIC_URL": "https://elsewhere.example",
           "CALFEED_STATE_PATH": str(tmp_path / "state.sqlite3")}
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "site"), "--regions", "us",
                                      "--base-url", PUBLIC], env=env)
    assert result.exit_code == 0, result.output
    feed = (tmp_path / "site" / "feeds" / "us" / "metallic-rouge.ics").read_bytes()
    assert f"URL;VALUE=URI:{PUBLIC}{FEED}\r\n".encode() in feed
    refused = CliRunner().invoke(cli, ["export", str(tmp_path / "other"), "--base-url",
                                       "calfeed.example.org"], env=env)
    assert refused.exit_code == 2 and "--base-url 'calfeed.example.org'" in refused.output

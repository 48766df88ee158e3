"""What requests with made-up URLs, Hosts and Accept-Language values can make a worker keep:
each cache within its setting, counted in bytes with its keys."""

from __future__ import annotations

from datetime import date, timedelta

from calfeed.config import load_config
from calfeed.render import ics
from calfeed.web import state

FEED = "/feeds/us/metallic-rouge.ics"


def test_the_memo_bound_is_a_setting(monkeypatch):
    assert load_config()["MEMO_MAX_BYTES"] == 16_000_000
    monkeypatch.setenv("CALFEED_MEMO_MAX_BYTES", "5000000")
    assert load_config()["MEMO_MAX_BYTES"] == 5_000_000


def test_distinct_api_windows_keep_the_memo_within_its_setting(make_app):
    # The response cache off: every request reaches the memo, as distinct URLs do anyway.
    app = make_app(MEMO_MAX_BYTES=60_000, RESPONSE_CACHE_SECONDS=0)
    client = app.test_client()
    first = date(2024, 1, 1)
    for n in range(300):
        start = first + timedelta(days=n % 60)
        response = client.get(f"/api/v1/schedule?releases=all&from={start}"
                              f"&to={start + timedelta(days=1 + n // 60)}")
        assert response.status_code == 200
    data = state.service(app).served()
    assert data.memo_max_bytes == 60_000
    assert 0 < data._memo.cost <= 60_000
    assert data._memo.cost == sum(data._memo.costs())


def test_distinct_accept_languages_make_one_page_entry_per_region_chosen(make_app):
    app = make_app(RESPONSE_CACHE_SECONDS=3600)
    client = app.test_client()
    tags = ("en-US", "ja", "en-GB", "fr-CA", "de", "pt-BR", "ko-KR", "zh-TW", "xx", "")
    for n in range(5_000):
        language = f"{tags[n % len(tags)]}, x-{n};q=0.{n % 9 + 1}"
        assert client.get("/", headers={"Accept-Language": language}).status_code == 200
    cache = state.service(app).response_cache
    # One per region those tags choose (US twice: en-US, and the unknown ones by default).
    assert len(cache) <= len(tags) - 1
    assert cache.kept_bytes <= app.config["RESPONSE_CACHE_MAX_BYTES"]


def test_made_up_hosts_keep_the_response_cache_within_its_bytes(make_app):
    # Without a public address each Host is its own entry: the byte bound still holds, keys
    # counted.
    app = make_app(RESPONSE_CACHE_SECONDS=3600, RESPONSE_CACHE_MAX_BYTES=400_000)
    client = app.test_client()
    for n in range(400):
        host = f"h{n}-" + "x" * 50 + "." + "y" * 60 + ".example"
        assert client.get(FEED, base_url=f"http://{host}").status_code == 200
    cache = state.service(app).response_cache
    assert 0 < cache.kept_bytes <= 400_000
    assert cache.kept_bytes == sum(cache._entries.costs())


def test_feed_heads_of_made_up_variants_are_not_kept_without_end(make_app):
    # The response cache off: every variant reaches the renderer.
    client = make_app(RESPONSE_CACHE_SECONDS=0).test_client()
    ics.calendar_head.cache_clear()
    for n in range(400):
        assert client.get(f"{FEED}?alarm={n}").status_code == 200
    assert ics.calendar_head.cache_info().currsize <= 256

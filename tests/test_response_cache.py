"""The whole-response cache stays within its bytes whatever the URLs asked for, and keeps the
answers asked for most recently."""

from __future__ import annotations

import gc
import tracemalloc

from calfeed.web import state
from calfeed.web.response_cache import ResponseCache

FEED = "/feeds/us/metallic-rouge.ics"


def sized_app(calls: list):
    """A WSGI app answering /feeds/<n>.ics with n bytes, counting what it was asked."""
    def app(environ, start_response):
        calls.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        size = int(environ["PATH_INFO"].removeprefix("/feeds/").removesuffix(".ics"))
        start_response("200 OK", [("Content-Type", "text/calendar"), ("ETag", f'"{size}"')])
        return [b"x" * size]
    return app


def get(cache, path: str, query: str = "", host: str = "a.example") -> bytes:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "HTTP_HOST": host, "wsgi.url_scheme": "https"}
    return b"".join(cache(environ, lambda status, headers, exc_info=None: None))


def test_filled_past_its_bytes_it_keeps_under_them_and_the_newest_stay():
    calls: list = []
    cache = ResponseCache(sized_app(calls), lambda: 1, seconds=60, max_bytes=200_000)
    for n in range(500):
        get(cache, "/feeds/5000.ics", f"alarm={n}")
        assert cache.kept_bytes <= 200_000
        get(cache, "/feeds/3000.ics")             # asked for all along: never pushed out
    assert 20 < len(cache) < 500
    calls.clear()
    get(cache, "/feeds/3000.ics")
    for n in range(499, 499 - len(cache) + 2, -1):    # the newest variants are all still kept
        get(cache, "/feeds/5000.ics", f"alarm={n}")
    assert calls == []
    get(cache, "/feeds/5000.ics", "alarm=0")      # the oldest went first
    assert calls == ["/feeds/5000.ics?alarm=0"]


def test_every_host_is_a_new_entry_only_while_hosts_are_in_the_key():
    calls: list = []
    by_host = ResponseCache(sized_app(calls), lambda: 1, seconds=60, max_bytes=10**6)
    one_address = ResponseCache(sized_app(calls), lambda: 1, seconds=60, max_bytes=10**6,
                                by_host=False)
    for n in range(50):
        get(by_host, "/feeds/100.ics", host=f"h{n}.example")
        get(one_address, "/feeds/100.ics", host=f"h{n}.example")
    assert (len(by_host), len(one_address)) == (50, 1)


def test_an_answer_too_large_to_keep_is_sent_and_not_kept():
    calls: list = []
    cache = ResponseCache(sized_app(calls), lambda: 1, seconds=60, max_bytes=80_000)
    get(cache, "/feeds/1000.ics")
    assert len(get(cache, "/feeds/20000.ics")) == 20_000
    assert len(cache) == 1 and cache.kept_bytes < 10_000     # the small one is still there


def test_the_count_bounds_entries_too():
    cache = ResponseCache(sized_app([]), lambda: 1, seconds=60, max_bytes=10**8, max_entries=10)
    for n in range(30):
        get(cache, "/feeds/10.ics", f"alarm={n}")
    assert len(cache) == 10


def test_what_it_counts_covers_the_memory_it_holds():
    """The bound is only as good as the count: the memory the kept answers really hold (traced)
    stays within what the cache says it holds, for small answers where bookkeeping dominates."""
    cache = ResponseCache(sized_app([]), lambda: 1, seconds=60, max_bytes=10**9)
    get(cache, "/feeds/200.ics")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        counted = cache.kept_bytes
        for n in range(2000):
            get(cache, "/feeds/200.ics", f"alarm={n}&lang=ja")
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= cache.kept_bytes - counted, (held, cache.kept_bytes - counted)


def test_a_response_setting_a_cookie_or_forbidding_storage_is_not_kept():
    def app(environ, start_response):
        extra = {"/feeds/cookie.ics": ("Set-Cookie", "a=b"),
                 "/feeds/nostore.ics": ("Cache-Control", "no-store")}[environ["PATH_INFO"]]
        start_response("200 OK", [("Content-Type", "text/calendar"), extra])
        return [b"private"]
    cache = ResponseCache(app, lambda: 1, seconds=60, max_bytes=10**6)
    get(cache, "/feeds/cookie.ics")
    get(cache, "/feeds/nostore.ics")
    assert len(cache) == 0


def test_the_app_keeps_feed_variants_within_its_setting(make_app):
    app = make_app(RESPONSE_CACHE_MAX_BYTES=200_000)
    client = app.test_client()
    cache = state.service(app).response_cache
    for n in range(40):
        response = client.get(f"{FEED}?alarm={n}", base_url=f"http://h{n}.example")
        assert response.status_code == 200
        assert cache.kept_bytes <= 200_000
    assert 2 <= len(cache) < 40
    newest = client.get(f"{FEED}?alarm=39", base_url="http://h39.example")
    assert newest.data == response.data


def test_a_new_data_version_lets_the_old_one_go(make_on_copy, schedules):
    """Found while speeding up the week page: each kept answer held the whole data version it
    was made from, so after a reload (now one a day, for the import's horizon) two versions
    stayed in memory until the old answers were pushed out."""
    import weakref

    app = make_on_copy(RESPONSE_CACHE_SECONDS=600, FREEZE_HEAP=0)
    client = app.test_client()
    assert client.get(FEED).status_code == 200
    assert client.get("/api/v1/shows").status_code == 200
    old = weakref.ref(state.service(app).published)
    edited = schedules / "metallic-rouge.yaml"
    edited.write_text(edited.read_text().replace("Metallic Rouge", "Metallic Rouge (new)", 1))
    assert state.service(app).reload()
    assert client.get(FEED).status_code == 200
    gc.collect()
    assert old() is None
    assert len(state.service(app).response_cache) == 1

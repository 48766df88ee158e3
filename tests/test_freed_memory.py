"""Giving the allocator's freed memory back: glibc's malloc_trim, at most once per interval."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

from calfeed.web import freed_memory

GLIBC = platform.libc_ver()[0] == "glibc"


def counting_trim():
    calls = []
    return calls, lambda: calls.append(1) or 1


def ok_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def call(wsgi_app, times: int) -> None:
    for _ in range(times):
        assert wsgi_app({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda *a: None) == [b"ok"]


def test_trims_at_most_once_per_interval(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(freed_memory.time, "monotonic", lambda: clock[0])
    calls, trim = counting_trim()
    layer = freed_memory.give_back_freed_memory(ok_app, 1.0, trim)
    call(layer, 50)
    assert calls == []                      # none due yet: the first second has not passed
    clock[0] += 1.0
    call(layer, 50)
    assert len(calls) == 1                  # one trim for the 50 requests of that second
    clock[0] += 0.5
    call(layer, 10)
    assert len(calls) == 1
    clock[0] += 0.5
    call(layer, 1)
    assert len(calls) == 2


def test_zero_seconds_turns_it_off():
    calls, trim = counting_trim()
    assert freed_memory.give_back_freed_memory(ok_app, 0, trim) is ok_app


def test_the_app_trims_through_its_requests(make_app, monkeypatch):
    calls, trim = counting_trim()
    monkeypatch.setattr(freed_memory, "malloc_trim", lambda: trim)
    app = make_app(MALLOC_TRIM_SECONDS=0.000001)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/feeds/us/metallic-rouge.ics").status_code == 200
    assert len(calls) >= 2
    calls.clear()
    quiet = make_app(MALLOC_TRIM_SECONDS=0)
    assert quiet.test_client().get("/feeds/us/metallic-rouge.ics").status_code == 200
    assert calls == []


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's; other C libraries have none")
def test_malloc_trim_gives_back_holes_that_free_alone_keeps():
    # 100 MB of 2,000-byte blocks (malloc's heap, under any mmap threshold) freed but for the
    # last one, which pins the top of the heap: free() alone keeps the pages, trim returns them.
    script = textwrap.dedent("""
        import re
        from pathlib import Path
        from calfeed.web.freed_memory import malloc_trim
        def rss():
            status = Path("/proc/self/status").read_text()
            return int(re.search(r"VmRSS:\\s+(\\d+) kB", status).group(1)) // 1024
        blocks = [bytearray(2000) for _ in range(50_000)]
        pin = blocks[-1]
        del blocks
        held = rss()
        malloc_trim()()
        print(held, rss())
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    held, after = map(int, out.split())
    assert held - after > 60, (held, after)

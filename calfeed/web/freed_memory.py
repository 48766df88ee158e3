"""Memory the C allocator holds after it was freed, given back to the system once a second."""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from typing import Callable


def malloc_trim() -> Callable[[], int] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none (musl, macOS).

    Freed memory stays with glibc's malloc, in holes between chunks still in use and in the
    arenas of each of granian's threads; `malloc_trim(0)` walks every arena and hands whole
    free pages back (madvise). Python cannot ask for that any other way."""
    name = ctypes.util.find_library("c")
    try:
        library = ctypes.CDLL(name)
        trim = library.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: trim(0)


def give_back_freed_memory(wsgi_app, seconds: float, trim: Callable[[], int] | None = None):
    """A WSGI layer: at the start of a request, when `seconds` have passed since the last time,
    return the allocator's free pages to the system first (0.6 ms median, 1.3 ms at most
    while serving the imported catalogue, bench/trim.py; tens of ms on a heap of many freed
    holes; one thread at a time, the others do not wait). Made-up Hosts and URLs free hundreds of megabytes of
    bodies and documents a minute: with it a worker grew +44 MB after 20,000 of each instead of
    +57 MB, and started 97 MB smaller, the load's garbage given back (docs/benchmarks.md,
    bench/memory.py). 0 seconds, or no malloc_trim: off."""
    trim = trim or malloc_trim()
    if seconds <= 0 or trim is None:
        return wsgi_app
    busy = threading.Lock()
    due = [time.monotonic() + seconds]

    def give_back(environ, start_response):
        if time.monotonic() >= due[0] and busy.acquire(blocking=False):
            try:
                trim()
                due[0] = time.monotonic() + seconds
            finally:
                busy.release()
        return wsgi_app(environ, start_response)
    return give_back

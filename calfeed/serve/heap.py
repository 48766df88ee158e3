"""The cyclic garbage collector and the data served: each data version is left out of its walks."""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from typing import Iterator

# The interpreter lock's switch interval while a version loads beside the one served (the
# default is 5 ms): a request thread waiting for the lock gets it back within a millisecond.
LOADING_SWITCH_SECONDS = 0.001


@contextmanager
def loading_beside() -> Iterator[None]:
    """While a new data version loads in a thread of a serving worker (a dataset update: the
    import's few seconds of CPU). The collector stays off meanwhile: the import makes some
    500,000 objects, whose full collections held the interpreter lock for tenths of a second
    in the loading thread, stalling every request thread; a version holds no reference cycle,
    and what the load left in cycles is collected once it is on again. The shorter switch
    interval hands the lock back to request threads sooner."""
    collecting = gc.isenabled()
    interval = sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(min(interval, LOADING_SWITCH_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if collecting:
            gc.enable()


def freeze_heap() -> None:
    """Move every object that exists now out of the collector's generations (gc.freeze),
    called once a data version is served, with FREEZE_HEAP. A version's objects (some
    500,000 with the imported catalogue) live until the next version, yet every full
    collection walked them all: a pause of 0.2 to 0.5 s on this machine in whichever request
    set it off, the slowest week pages and feeds measured (docs/benchmarks.md). Reference
    counting still frees an old version when the last response holding it goes (a data
    version holds no reference cycle: tests/test_heap.py). Off in the tests (FREEZE_HEAP=0),
    whose apps are cycles and come and go by hundreds."""
    gc.freeze()

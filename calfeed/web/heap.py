"""The cyclic garbage collector and the data served: each data version is left out of its walks."""

from __future__ import annotations

import gc

from flask import Flask


def settle(app: Flask) -> None:
    """Called once a data version is served. Its objects (some 500,000 with the imported
    catalogue) live until the next version, yet every full collection walked them all: a pause
    of 0.2 to 0.5 s on this machine in whichever request set it off, the slowest week pages
    and feeds measured (docs/benchmarks.md). gc.freeze moves what exists now out of the
    collector's generations; reference counting still frees an old version when the last
    response holding it goes (a data version holds no reference cycle: tests/test_heap.py).
    Off in the tests (FREEZE_HEAP=0), whose apps are cycles and come and go by hundreds."""
    if app.config["FREEZE_HEAP"]:
        gc.freeze()

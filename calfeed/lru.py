"""One least-recently-used store, bounded by a cost (bytes, airings) and a count: every cache.

Request threads share what they cache, so each operation holds a lock; values are made by
the caller outside it (two threads may both make one, never wait for each other), and a
lookup and its move to the recent end happen under the one lock, so an eviction in another
thread cannot come between them. docs/design.md, "Caches", lists who uses it and how.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Iterator, TypeVar

V = TypeVar("V")
MISSING = object()     # what get() answers for a key not kept (a kept value may be None)


class BoundedLRU(Generic[V]):
    """Values by key, at most `max_cost` of summed cost and `max_entries` of them; putting past
    either drops the least recently used first. A value costing more than `largest` (default:
    the whole bound) is not kept: one answer must not push out everything else."""

    def __init__(self, max_cost: int, max_entries: int | None = None,
                 largest: int | None = None):
        self.max_cost = max_cost
        self.max_entries = max_entries
        self.largest = max_cost if largest is None else largest
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._cost = 0
        self._lock = threading.Lock()

    @property
    def cost(self) -> int:
        """What the kept values cost now, as counted against max_cost."""
        return self._cost

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Hashable]:
        with self._lock:
            return iter(list(self._entries))

    def costs(self) -> list[int]:
        """Each kept value's cost (tests check the count against them)."""
        with self._lock:
            return [cost for _value, cost in self._entries.values()]

    def get(self, key: Hashable, default=MISSING):
        """The value kept for `key`, now the most recently used; `default` if none is."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return default
            self._entries.move_to_end(key)
            return found[0]

    def cost_of(self, key: Hashable) -> int | None:
        with self._lock:
            found = self._entries.get(key)
            return None if found is None else found[1]

    def put(self, key: Hashable, value: V, cost: int, *, replace: bool = False) -> bool:
        """Keep `value` (unless one is kept for `key` already, and `replace` is False), then
        drop the least recently used past the bounds; whether it is kept."""
        if cost > self.largest:
            return False
        with self._lock:
            old = self._entries.get(key)
            if old is not None:
                if not replace:
                    return True
                del self._entries[key]
                self._cost -= old[1]
            self._entries[key] = (value, cost)
            self._cost += cost
            while self._entries and (self._cost > self.max_cost or (
                    self.max_entries is not None and len(self._entries) > self.max_entries)):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._cost -= dropped
            return key in self._entries

    def get_or_make(self, key: Hashable, make: Callable[[], V],
                    cost: Callable[[V], int]) -> V:
        """The kept value, else `make()` kept at `cost(value)` if it fits."""
        found = self.get(key)
        if found is not MISSING:
            return found
        value = make()
        self.put(key, value, cost(value))
        return value

    def discard(self, key: Hashable) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._cost -= old[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._cost = 0

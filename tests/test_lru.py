"""The one least-recently-used store every cache uses: its bounds, what it refuses, threads."""

from __future__ import annotations

import threading

from calfeed.lru import MISSING, BoundedLRU


def test_the_least_recently_used_go_first_past_the_cost_bound():
    store = BoundedLRU(max_cost=10)
    for key in "abcde":
        store.put(key, key.upper(), 3)
    # a, b dropped to stay within 10 (c, d, e cost 9); asking c makes d the oldest.
    assert list(store) == ["c", "d", "e"] and store.cost == 9
    assert store.get("c") == "C"
    store.put("f", "F", 3)
    assert list(store) == ["e", "c", "f"]


def test_the_count_bound_holds_whatever_the_cost():
    store = BoundedLRU(max_cost=1_000, max_entries=2)
    for key in "abc":
        store.put(key, key, 1)
    assert list(store) == ["b", "c"] and store.cost == 2


def test_a_value_over_the_largest_is_made_but_not_kept_and_pushes_nothing_out():
    store = BoundedLRU(max_cost=100, largest=10)
    store.put("small", 1, 5)
    assert store.put("big", 2, 11) is False
    assert list(store) == ["small"] and store.cost == 5
    made = store.get_or_make("huge", lambda: "value", lambda value: 500)
    assert made == "value" and "huge" not in list(store)


def test_a_kept_none_is_found_and_replace_swaps_the_cost():
    store = BoundedLRU(max_cost=10)
    store.put("nothing", None, 1)
    assert store.get("nothing") is None and store.get("other") is MISSING
    calls = []
    assert store.get_or_make("nothing", lambda: calls.append(1), lambda v: 1) is None
    assert calls == []
    store.put("nothing", "x", 4)                   # kept already: left as it is
    assert store.get("nothing") is None and store.cost == 1
    store.put("nothing", "x", 4, replace=True)
    assert store.get("nothing") == "x" and store.cost == 4
    store.discard("nothing")
    assert len(store) == 0 and store.cost == 0


def test_many_threads_keep_the_count_equal_to_the_costs_and_within_the_bound():
    store = BoundedLRU(max_cost=2_000)
    errors = []

    def work(offset):
        try:
            for n in range(3_000):
                key = (n * 7 + offset) % 300
                store.get_or_make(key, lambda: b"x" * 10, lambda value, key=key: 10 + key % 5)
        except Exception as exc:     # any error in a thread fails the test below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.cost == sum(store.costs()) <= 2_000

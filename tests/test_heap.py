"""Each served data version is left out of the garbage collector's walks, and still freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from calfeed.web import state

PAGES = ("/week?region=jp&from=2024-01-08", "/feeds/jp.ics", "/feeds/us/metallic-rouge.ics",
         "/shows/metallic-rouge?region=jp", "/", "/api/v1/shows", "/search?q=meta")


@pytest.fixture
def collector():
    """The collector as the test found it: on, nothing frozen."""
    gc.unfreeze()
    yield
    gc.enable()
    gc.unfreeze()


def test_a_served_version_is_frozen_and_freed_without_a_collection(make_app, schedules,
                                                                    collector):
    app = make_app(schedules, FREEZE_HEAP=1, RESPONSE_CACHE_SECONDS=0)
    client = app.test_client()
    for url in PAGES:     # what requests keep beside the version: blocks, memos, events
        assert client.get(url).status_code == 200, url
    assert not _in_generations(state.service(app).published)
    served = weakref.ref(state.service(app).published)
    path = schedules / "metallic-rouge.yaml"
    path.write_text(path.read_text().replace("Metallic Rouge", "Metallic Rouge (new)", 1))
    # A collection now would free nothing frozen: the old version must go by reference
    # counting alone, so it must hold no reference cycle.
    gc.disable()
    assert state.service(app).reload()
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert served() is None
    # The new version is frozen in its turn.
    assert not _in_generations(state.service(app).published)


def test_off_leaves_the_collector_alone(make_app, collector):
    app = make_app(FREEZE_HEAP=0)
    assert gc.get_freeze_count() == 0
    assert _in_generations(state.service(app).published)


def _in_generations(thing) -> bool:
    """Whether the collector walks it (gc.get_objects lists its generations, not the frozen)."""
    return any(found is thing for found in gc.get_objects())

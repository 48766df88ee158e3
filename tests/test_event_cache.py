"""The rendered events a worker keeps are bounded in bytes: whatever is asked, a data version's
event cache holds at most EVENT_CACHE_MAX_BYTES, least recently used out first."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime, timezone

import pytest

from calfeed.config import DEFAULTS
from calfeed.publish.published import publish
from calfeed.publish.revisions import RevisionStore
from calfeed.publish.selection import other_releases
from calfeed import lru
from calfeed.render import ics
from calfeed.schedule.synthetic import write_synthetic
from calfeed.web import state

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    write_synthetic(40, folder)
    return publish(folder, RevisionStore(":memory:"), NOW)


def every_event(published):
    """(airing, uid, others) for each event of every show, in its first region."""
    for show_id in published.catalogue.shows:
        for airing in published.catalogue.airings[show_id]:
            region = min(airing.release.regions)
            yield airing, airing.episode_uid(region), other_releases(airing.show,
                                                                     airing.release, region)


def test_the_kept_events_stay_within_the_bound_in_memory_too(published):
    events = [(airing, uid[:-len("@calfeed")], others)
              for airing, uid, others in every_event(published)]

    def ask_every_event(cache):
        for lang in (None, "ja"):               # two languages: twice the events
            for airing, uid, others in events:
                # A new UID string each time, as each request makes: the kept key holds it.
                cache.event(airing, uid + "@calfeed", lang, others)

    # Once first, so that what the renderer keeps whatever the cache (its shared lines, the
    # shows' languages) is not counted below.
    ask_every_event(ics.EventCache(published.revisions.events, published.revisions.shared))
    bound = 300_000
    cache = ics.EventCache(published.revisions.events, published.revisions.shared, bound)
    gc.collect()
    tracemalloc.start()
    try:
        ask_every_event(cache)
        gc.collect()
        # What rendering and keeping made, not all the process did meanwhile: tracemalloc
        # counts every thread's allocations, and threads of apps made by earlier tests (an
        # index built beside an app's first answers) may still be at work.
        made_here = [tracemalloc.Filter(True, module.__file__) for module in (ics, lru)]
        made_here.append(tracemalloc.Filter(True, __file__))
        held = sum(stat.size for stat in tracemalloc.take_snapshot().filter_traces(
            made_here).statistics("filename"))
    finally:
        tracemalloc.stop()
    rendered = 2 * len(events)
    assert len(cache) < rendered / 4, "most events were dropped again"
    assert cache.kept_bytes <= bound
    # ENTRY_BYTES is honest: what the cache really holds (keys, UIDs, bytes, the dict) is
    # no more than it counts, and not far less. Without a bound it holds every event: 3 MB.
    assert bound * 0.7 <= held <= bound, f"{held} bytes held for a bound of {bound}"


def test_an_event_dropped_is_made_again_byte_for_byte(published):
    events = list(every_event(published))[:50]
    whole = ics.EventCache(published.revisions.events, published.revisions.shared)
    first = [whole.event(a, uid, None, others) for a, uid, others in events]
    small = ics.EventCache(published.revisions.events, published.revisions.shared, 5_000)
    for _ in range(2):          # the second pass finds the first events dropped
        assert [small.event(a, uid, None, others) for a, uid, others in events] == first
    assert len(small) < 10


def test_the_most_recently_used_event_stays(published):
    events = list(every_event(published))[:40]
    cache = ics.EventCache(published.revisions.events, published.revisions.shared, 20_000)
    kept = cache.event(*events[0][:2], None, events[0][2])
    for airing, uid, others in events[1:]:
        assert cache.event(*events[0][:2], None, events[0][2]) is kept      # asked again
        cache.event(airing, uid, None, others)
    assert cache.event(*events[0][:2], None, events[0][2]) is kept


def test_the_setting_bounds_the_served_cache(make_app):
    app = make_app(EVENT_CACHE_MAX_BYTES=12_345)
    assert app.test_client().get("/feeds/jp/metallic-rouge.ics").status_code == 200
    with app.app_context():
        cache = ics.events_of(state.current())
    assert cache.max_bytes == 12_345 and 0 < cache.kept_bytes <= 12_345


def test_the_default_setting_is_the_renderers():
    assert DEFAULTS["EVENT_CACHE_MAX_BYTES"] == ics.EVENT_CACHE_MAX_BYTES

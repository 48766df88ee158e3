"""The published data version: a memo safe under threads and bounded by bytes, a data layer
that imports no renderer, and event UIDs built on the show's stable key."""

from __future__ import annotations

import ast
import dataclasses
import threading
from datetime import datetime, timezone
from pathlib import Path

from calfeed.publish import published as published_module
from calfeed.publish.published import publish
from calfeed.publish.revisions import RevisionStore
from tests.conftest import BUNDLED_SCHEDULES

PUBLISH = Path(published_module.__file__).parent
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def bundled():
    return publish(BUNDLED_SCHEDULES, RevisionStore(":memory:"), NOW)


def test_the_publish_layer_imports_no_renderer_nor_web_module():
    for module in PUBLISH.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(("render", "web")), module.name
                assert not (node.module or "").startswith(("calfeed.render", "calfeed.web"))


def test_memo_stays_within_its_byte_bound_under_many_threads():
    data = publish(BUNDLED_SCHEDULES, RevisionStore(":memory:"), NOW, memo_max_bytes=20_000)
    errors = []

    def ask(offset):
        try:
            for n in range(400):
                key = ("k", (n * 7 + offset) % 150)
                assert data.memo(key, lambda: b"x" * 500) == b"x" * 500
        except Exception as exc:   # any error in a thread fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert data._memo.cost == sum(data._memo.costs()) <= 20_000
    assert 0 < len(data._memo) < 150


def test_memo_counts_the_keys_requests_make_and_the_airings_a_value_holds():
    data = publish(BUNDLED_SCHEDULES, RevisionStore(":memory:"), NOW, memo_max_bytes=100_000)
    # A key as long as a query string may be: counted by its length, not as a fixed overhead.
    for n in range(100):
        data.memo(("json", f"/api/v1/schedule?{n}" + "x" * 4_000), lambda: b"{}")
    assert data._memo.cost <= 100_000 and len(data._memo) < 25
    # Airings made for a window belong to the value that holds them: a list of them costs
    # each airing, not a pointer.
    airings = list(data.catalogue.airings["metallic-rouge"])
    kept = data.memo(("week-block", 1), lambda: airings)
    assert kept is airings
    cost = data._memo.cost_of(("week-block", 1))
    assert cost >= len(airings) * published_module.AIRING_BYTES


def test_a_value_larger_than_the_whole_bound_is_made_but_not_kept():
    data = publish(BUNDLED_SCHEDULES, RevisionStore(":memory:"), NOW, memo_max_bytes=1_000)
    assert data.memo(("big",), lambda: b"x" * 5_000) == b"x" * 5_000
    assert len(data._memo) == 0 and data._memo.cost == 0


def test_an_object_kept_beside_a_data_version_is_made_once_per_version():
    data = bundled()
    made = []
    first = data.beside("thing", lambda: made.append(1) or object())
    assert data.beside("thing", lambda: made.append(1) or object()) is first and made == [1]
    assert bundled().beside("thing", object) is not first


def test_uids_use_the_bangumi_subject_when_the_show_names_it():
    data = bundled()
    airing = data.catalogue.airings["metallic-rouge"][0]
    assert airing.show.uid_key == "bgm425595"   # the file names its bangumi.tv subject
    assert dataclasses.replace(airing.show, ids={}).uid_key == "metallic-rouge"
    known = dataclasses.replace(airing.show, ids={"bangumi": "443106"})
    renamed = dataclasses.replace(airing, show=dataclasses.replace(known, id="another-slug"))
    assert renamed.uid == f"bgm443106-1-{airing.release.id}@calfeed"
    assert renamed.episode_uid("JP") == "bgm443106-1-jp@calfeed"

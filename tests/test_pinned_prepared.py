"""A machine's first start on a prepared pinned package: its titles' readings are read, not made.

`calfeed dataset prepare` (which `make run` runs) keeps what an install works out beside the
pinned package; a fresh state folder then has pykakasi read none of the imported titles for
the first search. Calls are counted, not time.
"""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

from calfeed.cli import cli
from calfeed.index import title_keys
from calfeed.source.datasets import pinned_dataset
from calfeed.source.loading import derived, derived_path
from tests.test_catalogue_serving import dataset
from tests.test_dataset_install import EXTRA, ITEMS

IMPORTED_JA = {entry["title"] for entry in ITEMS + EXTRA}


@pytest.fixture(name="pinned")
def pinned_fixture(tmp_path):
    return dataset(tmp_path / "modules" / "bangumi-data", version="1.0.0", items=ITEMS + EXTRA)


@pytest.fixture(name="read")
def read_fixture(monkeypatch):
    """The titles pykakasi reads from now on (the real reader, each call recorded)."""
    titles, real = [], title_keys.reading

    def counted(title):
        titles.append(title)
        return real(title)
    monkeypatch.setattr(title_keys, "reading", counted)
    return titles


def prepare(pinned):
    return CliRunner().invoke(cli, ["dataset", "prepare"], catch_exceptions=False,
                              env={"CALFEED_IMPORT_PATH": str(pinned)})


def first_search(make_app, pinned):
    app = make_app(IMPORT=1, IMPORT_PATH=str(pinned))
    response = app.test_client().get("/search?q=extra+show")
    assert response.status_code == 200, response.text


def test_a_fresh_state_reads_no_imported_title_with_pykakasi_once_the_package_is_prepared(
        pinned, make_app, read):
    assert prepare(pinned).exit_code == 0
    kept = derived(pinned_dataset(pinned))
    assert IMPORTED_JA <= kept["readings"].keys() and kept["version"] == "1.0.0"
    read.clear()
    first_search(make_app, pinned)
    assert not IMPORTED_JA & set(read)


def test_without_preparing_a_fresh_state_reads_the_imported_titles(pinned, make_app, read):
    first_search(make_app, pinned)
    assert IMPORTED_JA <= set(read)


def test_prepare_keeps_its_work_until_the_package_or_the_reader_changes(pinned, monkeypatch):
    assert "kept" in prepare(pinned).output
    assert "is current" in prepare(pinned).output
    monkeypatch.setattr(title_keys, "reader_version", lambda: "pykakasi 9")
    assert "kept" in prepare(pinned).output
    (pinned / "package.json").write_text('{"name": "bangumi-data", "version": "1.0.1"}')
    assert derived(pinned_dataset(pinned)) == {}     # made from 1.0.0: not used for 1.0.1
    assert derived_path(pinned_dataset(pinned)).name == "bangumi-data.derived.json"


def test_each_module_the_derived_parts_follow_exists():
    # A module moved or renamed must move in the key too: a pattern matching nothing would
    # leave parts made by older code in use.
    from calfeed.source import loading
    root = loading.Path(loading.__file__).resolve().parents[1]
    assert all(list(root.glob(pattern)) for pattern in loading._DERIVING)


def test_the_reader_of_japanese_queries_is_loaded_beside_the_first_requests(pinned, make_app,
                                                                            monkeypatch):
    # With every title's reading kept, nothing at start loads pykakasi: the first Japanese
    # query of a start would wait for its dictionaries.
    assert prepare(pinned).exit_code == 0
    loaded = []
    monkeypatch.setattr(title_keys, "_loaded", lambda: loaded.append(1) or object())
    title_keys._kakasi.cache_clear()
    try:
        first_search(make_app, pinned)
        for _ in range(200):
            if loaded:
                break
            threading.Event().wait(0.05)
        assert loaded == [1]
    finally:
        title_keys._kakasi.cache_clear()

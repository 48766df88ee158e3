"""An installed dataset's mapped import, kept beside it: read back only when whole and made
by this code; otherwise the dataset is mapped again, never served wrongly."""

from __future__ import annotations

from datetime import datetime, timezone

from calfeed.source import import_cache
from calfeed.source.bangumi import ImportReport
from calfeed.source.datasets import Dataset
from tests.test_bangumi_import import show_of, item


def installed(tmp_path) -> Dataset:
    (tmp_path / "package").mkdir()
    return Dataset("9.9.9", tmp_path / "package", datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_the_mapped_import_is_read_back_whole_by_the_code_that_wrote_it(tmp_path):
    dataset = installed(tmp_path)
    shows = {"test-show": show_of(item())}
    report = ImportReport("9.9.9", imported=1)
    import_cache.write(dataset, "code-a", shows, report)
    found = import_cache.read(dataset, "code-a")
    assert found is not None and found[0] == shows and found[1].imported == 1
    # Another version of calfeed maps again: its rules may differ.
    assert import_cache.read(dataset, "code-b") is None


def test_a_damaged_or_missing_file_is_mapped_again(tmp_path):
    dataset = installed(tmp_path)
    assert import_cache.read(dataset, "code-a") is None
    (dataset.folder / import_cache.CACHE).write_bytes(b"code-a\n\x80\x05not a pickle")
    assert import_cache.read(dataset, "code-a") is None


def test_nothing_is_written_beside_the_pinned_package(tmp_path):
    pinned = Dataset("0.3.208", tmp_path / "package", None, pinned=True)
    (tmp_path / "package").mkdir()
    import_cache.write(pinned, "code-a", {}, ImportReport("0.3.208"))
    assert not (tmp_path / import_cache.CACHE).exists()
    assert import_cache.read(pinned, "code-a") is None


def test_an_install_keeps_the_mapped_import_a_worker_then_reads(tmp_path):
    """The install maps the dataset to check it loads: what it mapped is kept, so the workers
    that swap to the version read it instead of mapping it again."""
    from calfeed.source.datasets import DatasetStore, pinned_dataset, to_serve
    from calfeed.source.loading import import_code
    from tests.test_catalogue_serving import ITEMS, dataset
    from tests.test_dataset_install import EXTRA, NOW, put
    store = DatasetStore(tmp_path / "datasets")
    pinned = pinned_dataset(dataset(tmp_path / "pinned", version="1.0.0", items=ITEMS + EXTRA))
    put(store, pinned, "1.0.1")
    served = to_serve(store, pinned)
    found = import_cache.read(served, import_code())
    assert found is not None
    from calfeed.source.bangumi import load_dataset
    shows, _report = load_dataset(served.root, NOW)
    assert found[0] == shows

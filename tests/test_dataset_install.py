"""Installing a dataset from archives the tests build: refusals leave the served data as it was.

Each archive is a bangumi-data package as npm packs it (`package/package.json`,
`package/dist/data.json`), made in memory from the small catalogue of test_catalogue_serving.
"""

from __future__ import annotations

import io
import json
import tarfile
from datetime import datetime, timezone

import pytest

from calfeed.source import archive as archive_module
from calfeed.source.archive import integrity_of
from calfeed.source.datasets import DatasetRefused, DatasetStore, pinned_dataset, to_serve
from calfeed.source.install import AlreadyServed, SHRINK_MARKER, install, use
from calfeed.source.registry import Release
from tests.test_catalogue_serving import ITEMS, META, dataset, item

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
EXTRA = [item(f"アニメ{n}", f"Extra Show {n}", str(1000 + n), "2023-10-04T15:00:00.000Z",
              "2023-12-20T15:00:00.000Z") for n in range(6)]


def package_archive(version: str, items=ITEMS, extra: dict[str, bytes] | None = None,
                    links: dict[str, str] | None = None) -> bytes:
    """A .tgz as `npm pack` makes it, with any extra members (name -> bytes) or symlinks."""
    members = {"package/package.json": json.dumps({"name": "bangumi-data",
                                                    "version": version}).encode(),
               "package/dist/data.json": json.dumps({"siteMeta": META,
                                                     "items": items}).encode(),
               **(extra or {})}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            out.addfile(info)
    return buffer.getvalue()


def release(version: str, data: bytes) -> Release:
    return Release(version, f"https://registry.invalid/bangumi-data-{version}.tgz",
                   integrity_of(data), datetime(2024, 1, 1, tzinfo=timezone.utc))


@pytest.fixture(name="store")
def store_fixture(tmp_path):
    return DatasetStore(tmp_path / "datasets")


@pytest.fixture(name="pinned")
def pinned_fixture(tmp_path):
    return pinned_dataset(dataset(tmp_path / "pinned", version="1.0.0", items=ITEMS + EXTRA))


def put(store, pinned, version, items=ITEMS + EXTRA, **archive):
    data = package_archive(version, items, **archive)
    return install(store, pinned, data, release(version, data), NOW, 0.5, f"v{version}.tgz")


def test_an_update_is_installed_beside_and_then_pointed_at(store, pinned):
    done = put(store, pinned, "1.0.1")
    assert done.previous == "1.0.0" and done.version == "1.0.1"
    served = to_serve(store, pinned)
    assert served.version == "1.0.1" and served.root == store.directory / "1.0.1" / "package"
    assert json.loads((store.directory / "current").read_text())["version"] == "1.0.1"
    meta = json.loads((store.directory / "1.0.1" / "meta.json").read_text())
    assert meta["integrity"].startswith("sha512-") and meta["published"].startswith("2024-01-01")


def test_an_archive_whose_integrity_differs_is_refused_before_unpacking(store, pinned):
    data = package_archive("1.0.1", ITEMS + EXTRA)
    other = release("1.0.1", data + b"\0")
    with pytest.raises(DatasetRefused, match="sha512 .* is not the registry's"):
        install(store, pinned, data, other, NOW, 0.5, "v1.0.1.tgz")
    assert not any(p.name.startswith((".incoming", "1.0.1")) for p in store.directory.iterdir())
    assert to_serve(store, pinned).version == "1.0.0"


def test_a_member_outside_the_package_folder_is_refused(store, pinned, tmp_path):
    for name in ("package/../../escaped.txt", "/tmp/escaped.txt", "other/file.txt"):
        with pytest.raises(DatasetRefused, match="outside the package folder"):
            put(store, pinned, "1.0.1", extra={name: b"x"})
    assert not (tmp_path / "escaped.txt").exists() and not (store.directory / "1.0.1").exists()
    assert to_serve(store, pinned).version == "1.0.0"


def test_a_link_in_the_archive_is_refused(store, pinned):
    with pytest.raises(DatasetRefused, match="is a link"):
        put(store, pinned, "1.0.1", links={"package/dist/passwd": "/etc/passwd"})


def test_an_oversized_member_is_refused(store, pinned, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_MEMBER", 4096)
    with pytest.raises(DatasetRefused, match="past the bound"):
        put(store, pinned, "1.0.1", extra={"package/big.bin": b"\0" * 5000})
    assert to_serve(store, pinned).version == "1.0.0"


def test_an_archive_that_does_not_unpack_or_load_is_refused(store, pinned):
    for data, message in ((b"not a gzip at all", "does not unpack"),
                          (package_archive("1.0.1", extra={"package/dist/data.json": b"{cut"}),
                           "does not load"),
                          (package_archive("1.0.1", items=[{"title": "begins never"}]),
                           "imports no show")):
        with pytest.raises(DatasetRefused, match=message):
            install(store, pinned, data, release("1.0.1", data), NOW, 0.5, "v1.0.1.tgz")
    assert to_serve(store, pinned).version == "1.0.0"


def test_an_older_version_is_refused_with_the_way_to_roll_back(store, pinned):
    with pytest.raises(DatasetRefused, match="older than the 1.0.0 served.*dataset use 0.9.0"):
        put(store, pinned, "0.9.0")
    with pytest.raises(AlreadyServed):
        put(store, pinned, "1.0.0")


def test_a_dataset_that_loses_most_shows_is_refused_unless_the_folder_says_so(store, pinned):
    with pytest.raises(DatasetRefused, match=f"imports 4 show.* where 1.0.0 served 10.*"
                                             f"{SHRINK_MARKER}"):
        put(store, pinned, "1.0.1", items=ITEMS)
    assert to_serve(store, pinned).version == "1.0.0"
    (store.directory / SHRINK_MARKER).touch()
    assert put(store, pinned, "1.0.1", items=ITEMS).version == "1.0.1"


def test_a_crash_between_unpacking_and_switching_keeps_the_old_dataset(store, pinned,
                                                                       monkeypatch, make_app):
    put(store, pinned, "1.0.1")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("the process was killed here")
    monkeypatch.setattr(DatasetStore, "switch", crash)
    with pytest.raises(KeyboardInterrupt):
        put(store, pinned, "1.0.2")
    # The new version's folder is complete, but nothing points at it: never served.
    assert (store.directory / "1.0.2" / "meta.json").exists()
    assert to_serve(store, pinned).version == "1.0.1"
    monkeypatch.undo()
    app = make_app(IMPORT=1, IMPORT_PATH=str(pinned.root), DATASET_DIR=str(store.directory))
    health = app.test_client().get("/healthz").json
    assert health["dataset"]["version"] == "1.0.1"


def test_an_unfinished_install_is_never_served(store, pinned):
    put(store, pinned, "1.0.1")
    unfinished = store.directory / "1.0.2"
    (unfinished / "package" / "dist").mkdir(parents=True)
    (unfinished / "package" / "package.json").write_text('{"version": "1.0.2"}')
    (store.directory / "current").write_text('{"version": "1.0.2"}')   # no meta.json
    assert to_serve(store, pinned).version == "1.0.1"


def test_use_rolls_back_on_purpose_and_three_versions_are_kept(store, pinned):
    for version in ("1.0.1", "1.0.2", "1.0.3", "1.0.4"):
        put(store, pinned, version)
    assert [d.version for d in store.installed()] == ["1.0.4", "1.0.3", "1.0.2"]
    use(store, "1.0.2")
    assert to_serve(store, pinned).version == "1.0.2" and store.choice().chosen
    with pytest.raises(DatasetRefused, match="1.0.1 is not installed"):
        use(store, "1.0.1")
    # An update by hand from the rolled-back version moves on again.
    assert put(store, pinned, "1.0.5").previous == "1.0.2"
    assert not store.choice().chosen


def test_what_is_derived_at_install_is_what_a_worker_would_work_out(store, pinned, monkeypatch):
    from calfeed.publish.revisions import shared_print
    from calfeed.index.derived import derive
    from calfeed.index.season import SeasonIndex
    from calfeed.source import loading
    data = package_archive("1.0.1", ITEMS + EXTRA)
    install(store, pinned, data, release("1.0.1", data), NOW, 0.5, "v1.0.1.tgz", derive)
    imported = loading.imported_catalogue(NOW, dataset=store.read("1.0.1"))
    shows = imported.shows
    assert imported.derived_part("prints") == {s.uid_key: shared_print(s) for s in shows.values()}
    assert SeasonIndex.build(shows, imported.derived_part("first")) == SeasonIndex.build(shows)
    assert imported.derived["readings"]["メタリックルージュ"] == ["めたりっくるーじゅ",
                                                            "metarikkuruuju"]
    # Made by other code (a deploy since): not used, worked out again instead.
    monkeypatch.setattr(loading, "code_key", lambda: "another")
    assert imported.derived_part("prints") == {} and imported.derived_part("first") == {}


def test_without_a_pointer_the_newest_complete_version_is_served(store, pinned):
    put(store, pinned, "1.0.1")
    put(store, pinned, "1.0.2")
    (store.directory / "current").unlink()
    assert to_serve(store, pinned).version == "1.0.2"
    (store.directory / "1.0.2" / "meta.json").unlink()      # no longer complete
    assert to_serve(store, pinned).version == "1.0.1"


def test_an_installed_dataset_is_served_without_the_pinned_package(store, pinned, make_app,
                                                                   tmp_path):
    put(store, pinned, "1.0.1")
    app = make_app(IMPORT=1, IMPORT_PATH=str(tmp_path / "not-installed"),
                   DATASET_DIR=str(store.directory))
    assert app.test_client().get("/healthz").json["dataset"]["version"] == "1.0.1"


def test_romaji_kept_by_other_romanising_code_are_not_used(store, pinned, monkeypatch):
    from calfeed.source import loading
    put(store, pinned, "1.0.1")
    kept = loading.derived(store.read("1.0.1"))
    assert loading.romaji(dict(kept))["ながいアニメ"] == "nagai anime"
    monkeypatch.setattr(loading, "romaji_key", lambda: "other rules")
    assert loading.romaji(dict(kept)) == {}

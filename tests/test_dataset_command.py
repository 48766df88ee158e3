"""`calfeed dataset` and `calfeed sources` on a dataset folder, with archives the tests build."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from calfeed.cli import cli
from tests.test_catalogue_serving import dataset
from tests.test_dataset_install import EXTRA, ITEMS, package_archive
from tests.test_dataset_serving import RENAMED
from tests.test_sources_report import BUNDLED


@pytest.fixture
def run(tmp_path):
    pinned = dataset(tmp_path / "pinned", version="1.0.0", items=ITEMS + EXTRA)
    env = {"CALFEED_DATASET_DIR": str(tmp_path / "sets"), "CALFEED_IMPORT_PATH": str(pinned)}

    def invoke(*args):
        return CliRunner().invoke(cli, list(args), env=env)
    return invoke


def archive(tmp_path, version, items=ITEMS + EXTRA):
    path = tmp_path / f"bangumi-data-{version}.tgz"
    path.write_bytes(package_archive(version, items))
    return str(path)


def test_update_from_an_archive_prints_the_summary_and_list_marks_the_served(run, tmp_path):
    done = run("dataset", "update", "--from", archive(tmp_path, "1.0.1", RENAMED + EXTRA))
    assert done.exit_code == 0, done.output
    assert "bangumi-data 1.0.0 -> 1.0.1: 1 show(s) added, 1 removed, 0 changed, 1 id(s) " \
           "moved" in done.output
    assert "moved current-show -> current-show-again (bgm2)" in done.output
    listed = run("dataset", "list").output.splitlines()
    assert listed[0].startswith("* 1.0.1  published unknown date") and "1.0.0" in listed[1]


def test_refusals_exit_1_saying_the_served_data_is_unchanged(run, tmp_path):
    assert run("dataset", "update", "--from", archive(tmp_path, "1.0.2")).exit_code == 0
    older = run("dataset", "update", "--from", archive(tmp_path, "1.0.1"))
    assert older.exit_code == 1
    assert "older than the 1.0.2 served" in older.output
    assert "the data served is unchanged" in older.output
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"\x1f\x8b not really")
    assert "does not unpack" in run("dataset", "update", "--from", str(broken)).output
    assert "1.0.0 is not installed" in run("dataset", "use", "1.0.0").output


def test_sources_compares_any_two_datasets_of_the_folder(run, tmp_path):
    run("dataset", "update", "--from", archive(tmp_path, "1.0.1"))
    run("dataset", "update", "--from", archive(tmp_path, "1.0.2", RENAMED + EXTRA))
    report = run("sources", "--schedules", str(BUNDLED), "--dataset", "1.0.2", "--against", "1.0.1")
    assert report.exit_code == 0, report.output
    assert "refresh from bangumi-data 1.0.1 to 1.0.2:" in report.output
    assert "  current-show: bgm2   # now current-show-again" in report.output
    unknown = run("sources", "--against", "7.7.7")
    assert unknown.exit_code == 2 and "neither a bangumi-data package folder nor an " \
                                        "installed version" in unknown.output


def test_a_first_update_needs_no_pinned_package(tmp_path):
    env = {"CALFEED_DATASET_DIR": str(tmp_path / "sets"),
           "CALFEED_IMPORT_PATH": str(tmp_path / "not-installed")}
    done = CliRunner().invoke(cli, ["dataset", "update", "--from", archive(tmp_path, "1.0.1")],
                              env=env)
    assert done.exit_code == 0, done.output
    assert "bangumi-data nothing -> 1.0.1: 10 show(s) added" in done.output
    assert CliRunner().invoke(cli, ["dataset", "list"], env=env).output.startswith("* 1.0.1")


def test_update_of_the_served_version_makes_stale_derived_parts_again(run, tmp_path):
    import json
    run("dataset", "update", "--from", archive(tmp_path, "1.0.1"))
    kept = tmp_path / "sets" / "1.0.1" / "derived.json"
    stale = {**json.loads(kept.read_text()), "code": "made by an older calfeed"}
    kept.write_text(json.dumps(stale))
    again = run("dataset", "update", "--from", archive(tmp_path, "1.0.1"))
    assert again.exit_code == 0 and "served already; nothing to do" in again.output
    assert "made again for this version of calfeed" in again.output
    from calfeed.source.loading import code_key
    assert json.loads(kept.read_text())["code"] == code_key()
    assert "made again" not in run("dataset", "update", "--from",
                                   archive(tmp_path, "1.0.1")).output

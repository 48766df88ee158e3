"""The calfeed command: check and show, as people run them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from calfeed.cli import cli
from calfeed.config import BUNDLED_SCHEDULES

INVALID = Path(__file__).parent / "schedules" / "invalid"


@pytest.fixture
def run():
    def invoke(*args, env=None):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return invoke


def test_check_bundled_schedules(run):
    result = run("check", str(BUNDLED_SCHEDULES))
    assert result.exit_code == 0
    assert result.output == f"ok: 1 show(s), 4 release(s), 52 airing(s) in {BUNDLED_SCHEDULES}\n"


def test_check_defaults_to_the_configured_folder(run, tmp_path):
    result = run("check", env={"CALFEED_SCHEDULES_DIR": str(tmp_path)})
    assert (result.exit_code, result.output) == (0, f"ok: 0 show(s), 0 release(s), 0 airing(s) "
                                                    f"in {tmp_path}\n")


def test_check_reports_every_problem_then_exits_1(run, tmp_path):
    for name in ("unknown-key.yaml", "several-documents.yaml"):
        (tmp_path / name).write_bytes((INVALID / name).read_bytes())
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{tmp_path}/several-documents.yaml:11:1: file holds several")
    assert lines[1] == f"{tmp_path}/unknown-key.yaml:5:5: a release without 'follows' needs 'start'"
    assert lines[2].startswith(f"{tmp_path}/unknown-key.yaml:10:5: unknown key 'strat', did you "
                               "mean 'start'?")
    assert lines[3] == "3 problem(s) in 2 file(s): fix them and run 'calfeed check' again"
    assert "Traceback" not in result.output


def test_check_one_file_checks_only_that_file(run, tmp_path):
    (tmp_path / "metallic-rouge.yaml").write_bytes((BUNDLED_SCHEDULES / "metallic-rouge.yaml")
                                                   .read_bytes())
    (tmp_path / "unknown-key.yaml").write_bytes((INVALID / "unknown-key.yaml").read_bytes())
    good = run("check", str(tmp_path / "metallic-rouge.yaml"))
    assert (good.exit_code, good.output) == (
        0, f"ok: 1 show(s), 4 release(s), 52 airing(s) in {tmp_path}/metallic-rouge.yaml\n")
    bad = run("check", str(tmp_path / "unknown-key.yaml"))
    assert bad.exit_code == 1
    assert bad.stderr.splitlines()[0] == (f"{tmp_path}/unknown-key.yaml:5:5: a release without "
                                          "'follows' needs 'start'")
    assert bad.stderr.splitlines()[-1] == ("2 problem(s) in 1 file(s): fix them and run "
                                           "'calfeed check' again")


def test_export_without_base_url_refuses_and_writes_nothing(run, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert "Missing option '--base-url'" in result.output
    assert not (tmp_path / "site").exists()


def test_show_table_in_los_angeles(run):
    result = run("show", "metallic-rouge", "--region", "us", "--tz", "America/Los_Angeles")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Metallic Rouge in United States, times in America/Los_Angeles"
    assert lines[1].split() == ["Ep", "Title", "Release", "Starts"]
    assert len(lines) == 3 + 13
    assert lines[3].split() == ["1", "Crimson", "Is", "the", "Sound", "of", "Dawn",
                                "Crunchyroll", "Wed", "2024-01-10", "10:25", "PST"]
    assert lines[12].split()[-4:] == ["Wed", "2024-03-13", "11:25", "PDT"]


def test_show_in_japan_defaults_to_tokyo_and_lists_every_japanese_release(run):
    result = run("show", "metallic-rouge", "--region", "JP", "--lang", "ja")
    lines = result.output.splitlines()
    assert lines[0] == "メタリックルージュ in Japan, times in Asia/Tokyo"
    assert lines[3].split() == ["1", "紅は暁に奏でる", "Fuji", "TV", "+Ultra", "Thu", "2024-01-11",
                                "00:55", "JST"]
    assert len(lines) == 3 + 13 * 3


@pytest.mark.parametrize(("args", "message"), [
    (("show", "metalic-rouge"), "Error: unknown show 'metalic-rouge': shows are metallic-rouge"),
    (("show", "metallic-rouge", "--region", "zz"), "Error: unknown region 'zz'"),
    (("show", "metallic-rouge", "--tz", "Asia/Tokio"),
     "Error: unknown time zone 'Asia/Tokio', did you mean 'Asia/Tokyo'?"),
    (("show", "metallic-rouge", "--region", "kr"),
     "Error: Metallic Rouge has no release in South Korea"),
])
def test_show_errors_are_one_line_without_traceback(run, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output


def test_commands_are_also_on_the_flask_cli(runner):
    result = runner.invoke(args=["check", str(BUNDLED_SCHEDULES)])
    assert result.exit_code == 0 and result.output.startswith("ok: 1 show(s)")


def test_synth_writes_long_runners_that_load(tmp_path):
    from calfeed.publish.catalogue import load_catalogue
    from calfeed.schedule.synthetic import write_synthetic
    write_synthetic(6, tmp_path, long_runners=2)
    catalogue = load_catalogue(tmp_path)
    episodes = sorted(len(show.episodes) for show in catalogue.shows.values())
    assert len(episodes) == 6 and episodes[-2] >= 1000 and episodes[-3] < 1000

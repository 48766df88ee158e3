"""`calfeed sources`: the import's report, curated-vs-dataset disagreements, a refresh's diff."""

import json
from pathlib import Path

from click.testing import CliRunner

from calfeed.cli import cli
from calfeed.source.bangumi import DATASET

BUNDLED = Path(__file__).resolve().parents[1] / "schedules"


def old_dataset(tmp_path: Path) -> Path:
    """A copy of the pinned dataset as an 'older version' with Metallic Rouge's broadcast moved
    and one item gone: the two kinds of change a refresh report must show."""
    data = json.loads((DATASET / "dist/data.json").read_text(encoding="utf-8"))
    for item in data["items"]:
        if item["title"] == "メタリックルージュ":
            item["begin"] = "2024-01-10T16:55:00.000Z"
            item["broadcast"] = "R/2024-01-10T16:55:00.000Z/P7D"
            item["end"] = "2024-04-03T16:55:00.000Z"
    removed = data["items"].pop(0)
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist/data.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "package.json").write_text('{"version": "0.3.1"}', encoding="utf-8")
    return tmp_path, removed


def test_sources_reports_counts_and_metallic_rouge_disagreements():
    result = CliRunner().invoke(cli, ["sources", "--schedules", str(BUNDLED)])
    assert result.exit_code == 0, result.output
    # Sazae-san (weekly since 1969) is listed by date from its recent decades, no longer
    # skipped for its count; one item's monthly cadence still is.
    assert "bangumi-data 0.3.208: 8482 items imported, 1 skipped" in result.output
    assert "skipped, cadence P1M is not a whole number of days: 1" in result.output
    rules = result.output.split("mapping rules (entries touched):\n")[1]
    for rule in ("site start a day without its time: served as a date: 158",
                 "site start an earlier season's: listed without dates: 229",
                 "long runner: episodes by date, not number: 19"):
        assert f"  {rule}\n" in rules
    assert ("metallic-rouge fuji-tv-ultra: curated 2024-01-10 15:55 UTC, "
            "bangumi-data 2024-01-10 16:25 UTC (jp-broadcast)") in result.output
    assert ("metallic-rouge crunchyroll: curated 2024-01-10 18:25 UTC, "
            "bangumi-data 2024-01-10 15:55 UTC (crunchyroll)") in result.output


def test_sources_against_an_older_dataset_lists_what_a_refresh_changes(tmp_path):
    old, removed = old_dataset(tmp_path)
    result = CliRunner().invoke(cli, ["sources", "--schedules", str(BUNDLED), "--against", str(old)])
    assert result.exit_code == 0, result.output
    assert "refresh from bangumi-data 0.3.1 to 0.3.208:" in result.output
    assert ("changed metallic-rouge jp-broadcast: 2024-01-11 01:55 Asia/Tokyo every 7 d -> "
            "2024-01-11 01:25 Asia/Tokyo every 7 d") in result.output
    assert result.output.count("\n  added ") >= 1

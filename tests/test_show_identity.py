"""A show's identity across catalogues and over time: its ids in the API."""

from __future__ import annotations

METALLIC_ROUGE_IDS = {"anidb": "17926", "anilist": "162985", "bangumi": "425595",
                      "mal": "54794", "tmdb": "tv/222787"}


def test_shows_list_has_each_shows_ids_as_strings(client):
    (show,) = client.get("/api/v1/shows").get_json()["shows"]
    assert show["ids"] == METALLIC_ROUGE_IDS


def test_show_detail_has_its_ids(client):
    assert client.get("/api/v1/shows/metallic-rouge").get_json()["show"]["ids"] == \
        METALLIC_ROUGE_IDS


def test_ids_are_described_in_openapi(client):
    show = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Show"]
    assert "ids" in show["required"]
    assert set(show["properties"]["ids"]["properties"]) == {"bangumi", "mal", "anilist",
                                                            "anidb", "tmdb"}


# An id that changes keeps working as a redirect (source/aliases.py).

import pytest

from calfeed.source import aliases as alias_module
from calfeed.source.aliases import ALIASES_FILE, read_aliases, renamed_ids, show_index
from tests.conftest import table_problem


@pytest.mark.parametrize("asked, moved_to", [
    ("/shows/bgm425595?region=us&alarm=15", "/shows/metallic-rouge?region=us&alarm=15"),
    ("/shows/BGM425595", "/shows/metallic-rouge"),
    ("/feeds/us/bgm425595.ics?alarm=15,60&lang=ja", "/feeds/us/metallic-rouge.ics?alarm=15,60&lang=ja"),
    ("/api/v1/shows/bgm425595?tz=Europe/Paris&tz=UTC", "/api/v1/shows/metallic-rouge?tz=Europe/Paris&tz=UTC"),
])
def test_the_stable_key_redirects_to_todays_id_with_the_query_string(client, asked, moved_to):
    response = client.get(asked)
    assert response.status_code == 301
    assert response.headers["Location"] == moved_to
    assert client.get(moved_to).status_code in (200, 400)   # 400: tz repeated, as asked


@pytest.mark.parametrize("asked, moved_to", [
    ("/shows/metalic-rouge?region=jp", "/shows/metallic-rouge?region=jp"),
    ("/feeds/jp/metalic-rouge.ics", "/feeds/jp/metallic-rouge.ics"),
    ("/api/v1/shows/metalic-rouge", "/api/v1/shows/metallic-rouge"),
    ("/api/v1/schedule?region=jp&show=metalic-rouge&from=2024-01-08",
     "/api/v1/schedule?region=jp&show=metallic-rouge&from=2024-01-08"),
    ("/api/v1/schedule?show=BGM425595&lang=ja", "/api/v1/schedule?show=metallic-rouge&lang=ja"),
])
def test_an_old_id_redirects_to_todays(aliased, asked, moved_to):
    response = aliased.get(asked)
    assert (response.status_code, response.headers["Location"]) == (301, moved_to)


@pytest.mark.parametrize("path", ["/shows/no-such-show", "/shows/bgm1", "/shows/something-gone",
                                  "/feeds/us/bgm1.ics", "/api/v1/shows/bgm999"])
def test_an_id_that_leads_nowhere_is_still_a_404(aliased, path):
    assert aliased.get(path).status_code == 404


def test_the_committed_alias_table_loads():
    assert all(alias_module.STABLE_KEY.fullmatch(key) for key in read_aliases(ALIASES_FILE).values())


@pytest.mark.parametrize("text, line, message", [
    ("Old Id: bgm1\n", 1, "'Old Id' is not a show id"),
    ("old-id: 425595\n", 1, "'425595' is not a stable key; write bgm"),
    ("a: bgm1\nb: bgm2\na: bgm3\n", 3, "'a' is listed twice"),
    ("- a\n", 1, "expected a mapping"),
    ("# old ids\n\n- a\n", 3, "expected a mapping"),
])
def test_a_bad_alias_table_names_the_line_and_the_fix(tmp_path, text, line, message):
    error = table_problem(tmp_path, "aliases.yaml", text, read_aliases)
    assert (error.line, message in error.message) == (line, True), error.message


def test_a_refresh_that_renames_a_show_lists_its_old_id():
    from dataclasses import replace

    from tests.test_provenance import imported
    show = replace(imported(), ids={"bangumi": "1"})   # uid_key bgm1
    old = {"test-show": replace(show, id="test-show"), "kept": replace(show, id="kept",
                                                                      ids={"bangumi": "2"})}
    new = {"test-show-2024": replace(show, id="test-show-2024"),
           "kept": old["kept"]}
    assert renamed_ids(old, new) == {"test-show": ("bgm1", "test-show-2024")}
    # An old id that now names another show stays that show's: no alias for it.
    new["test-show"] = replace(show, id="test-show", ids={"bangumi": "3"})
    assert renamed_ids(old, new) == {}
    index = show_index(new.values(), {"gone": "bgm1"})
    assert index.current_id("gone") == "test-show-2024" and index.current_id("bgm2") == "kept"


def test_calfeed_sources_prints_the_alias_lines_a_refresh_needs(tmp_path, monkeypatch):
    """The command's own lines, on two small imports (the whole dataset's refresh report is
    tests/test_sources_report.py)."""
    from dataclasses import replace

    from click.testing import CliRunner

    from calfeed.cli import cli
    from calfeed.source.bangumi import ImportReport
    from tests.test_provenance import imported
    from tests.test_sources_report import BUNDLED
    show = replace(imported(), ids={"bangumi": "328609"})
    (tmp_path / "package.json").write_text('{"name": "bangumi-data", "version": "0.3.207"}')
    versions = {False: {"bocchi-the-rock": replace(show, id="bocchi-the-rock")},
                True: {"bocchi-rocks": replace(show, id="bocchi-rocks")}}
    monkeypatch.setattr("calfeed.source.install.load", lambda dataset, now: (
        versions[dataset.root == tmp_path], ImportReport(dataset.version)))
    result = CliRunner().invoke(cli, ["sources", "--schedules", str(BUNDLED),
                                      "--against", str(tmp_path)],
                                env={"CALFEED_DATASET_DIR": str(tmp_path / "none")})
    assert result.exit_code == 0, result.output
    lines = result.output.split("add these lines to aliases.yaml to keep them "
                                "reviewed):\n")[1].splitlines()
    assert lines == ["  bocchi-rocks: bgm328609   # now bocchi-the-rock"]

"""Validation: every rejection case has a fixture in tests/schedules/invalid/ and an exact message.

Each message names the line and column and says what to do. The table is the contract people
see in `calfeed check`; change a message here and in the code together.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from calfeed.publish.catalogue import load_catalogue
from calfeed.errors import CatalogueError, ScheduleError
from calfeed.schedule.show_file import load_show
from calfeed.schedule.yamlfile import MAX_BYTES

INVALID = Path(__file__).parent / "schedules" / "invalid"

EXPECTED = {
    'Bad_Name.yaml': ["file name 'Bad_Name.yaml' is not a valid show id: use lowercase letters, digits and single hyphens, like 'bad-name.yaml'"],
    'alias-bomb.yaml': ['5:44: aliases make this file stand for more than 100000 values: refused as an alias bomb; write the values out instead'],
    'binary.yaml': ['1:1: file is not UTF-8 (byte 0x89 cannot be decoded): save it as UTF-8'],
    'count-not-a-number.yaml': ["3:10: 'count' must be a whole number from 1 to 2000, not 'three'"],
    'count-out-of-range.yaml': ["3:10: 'count' is 1000000000, out of range: use a whole number from 1 to 2000"],
    'deep-nesting.yaml': ['1:39: values are nested more than 32 levels deep: a schedule never needs that'],
    'dst-gap.yaml': ["10:12: release 'tv': 2024-03-10 02:30 does not exist in America/New_York (the clocks skip that hour for daylight saving time); choose a time that exists"],
    'duplicate-key.yaml': ["11:5: duplicate key 'start' in a release (first given on line 10): keep only one"],
    'duplicate-release-id.yaml': ["11:9: duplicate release id 'tv' (first used on line 5): give each release its own id"],
    'duration-not-a-duration.yaml': ["4:13: 'duration': 'half an hour' is not a duration: write it like '30m', '1h', '1h30m' or 'PT1H30M'"],
    'empty-regions.yaml': ["8:14: 'regions' is empty: give at least one"],
    'empty.yaml': ["file is empty: a schedule needs at least 'title', 'episodes' and 'releases'"],
    'every-not-a-cadence.yaml': ["11:12: 'every': 'fortnightly' is not a cadence: write '1 week', '2 weeks' or '1 day'"],
    'follows-cycle.yaml': ["15:14: 'follows' forms a cycle (stream -> again -> stream): one release in the chain must have its own 'start'", "21:14: 'follows' forms a cycle (again -> stream -> again): one release in the chain must have its own 'start'"],
    # Only the bad zone is reported: its follower names a release that exists, if wrongly written.
    'follows-leader-bad-timezone.yaml': ["9:15: unknown time zone 'Asia/Tokio', did you mean 'Asia/Tokyo'? Use an IANA zone name such as Asia/Tokyo or America/New_York"],
    'follows-missing.yaml': ["15:14: 'follows' names 'tvv', which is not a release of this show (releases: tv, stream)"],
    'follows-with-start.yaml': ["17:5: 'start' cannot be used with 'follows': a following release takes its times from 'tv'; remove 'start' or 'follows'"],
    'hour-out-of-range.yaml': ["10:12: 'start': hour 30 is out of range: use 0-29 (24-29 are the early hours of the next day, as in Japanese schedules)"],
    'impossible-date.yaml': ["10:12: 'start': 2024-02-30 is not a date on the calendar"],
    'kind-unknown.yaml': ["7:11: 'kind' is 'stream', did you mean 'streaming'? Use one of broadcast, streaming"],
    'link-data-url.yaml': ["2:19: 'links.official' must be an http:// or https:// URL, not 'data:text/html,<script>alert(1)</script>'"],
    'link-not-http.yaml': ["2:19: 'links.official' must be an http:// or https:// URL, not 'javascript:alert(1)'"],
    'minute-out-of-range.yaml': ["10:12: 'start': minute 60 is out of range: use 0-59"],
    'missing-episodes.yaml': ["1:1: the schedule is missing the required key 'episodes'"],
    'move-into-dst-gap.yaml': ["12:9: release 'tv': 2024-03-10 02:15 does not exist in America/New_York (the clocks skip that hour for daylight saving time); choose a time that exists"],
    'move-of-missing-episode.yaml': ['12:19: move of episode 9, which this season does not have (episodes 1-3)'],
    'nul-byte.yaml': ['1:16: file holds the control character U+0000 (binary data?): a schedule is plain UTF-8 text'],
    'not-utf8.yaml': ['1:16: file is not UTF-8 (byte 0xe9 cannot be decoded): save it as UTF-8'],
    'offset-without-follows.yaml': ["11:5: 'offset' only goes with 'follows': state this release's own 'start' instead, or add 'follows'"],
    'regions-all-excluded.yaml': ["8:14: 'regions' leaves no country once 'exclude' is taken away"],
    'several-documents.yaml': ["11:1: file holds several YAML documents ('---'): keep one show per file"],
    'skip-after-last-episode.yaml': ['11:12: skip 2024-03-06 comes after the last episode (on 2024-01-24): remove it'],
    'skip-not-a-slot-day.yaml': ["11:12: skip 2024-01-18 is not a broadcast day of release 'tv': its slots fall every 7 days from 2024-01-10 (for example 2024-01-17), in the same day notation as 'start'"],
    'tab-indentation.yaml': ['6:1: YAML syntax error: found a tab character that violates indentation while scanning a plain scalar that began on line 5, column 9: indent with spaces, not tabs'],
    'title-outside-season.yaml': ["5:5: episode 4 has a title, but this season has episodes 1-3: fix the number or 'count'"],
    'title-without-english.yaml': ["1:8: 'title' needs an English title under 'en'"],
    'top-level-list.yaml': ["1:1: the top level must be a mapping of keys such as 'title:' and 'episodes:', not a list"],
    'unknown-key.yaml': ["5:5: a release without 'follows' needs 'start'", "10:5: unknown key 'strat', did you mean 'start'? The keys allowed in a release are id, name, kind, regions, timezone, start, every, skip, moves, follows, offset, url"],
    'unknown-region-group.yaml': ["8:25: unknown region 'wrld', did you mean 'world'? Use an ISO 3166-1 alpha-2 code such as JP or US, or one of world, africa, americas, asia, europe, oceania"],
    'unknown-region.yaml': ["8:15: unknown region 'UK', did you mean 'GB'? Use an ISO 3166-1 alpha-2 code such as JP or US, or one of world, africa, americas, asia, europe, oceania"],
    'unknown-timezone.yaml': ["9:15: unknown time zone 'Asia/Tokio', did you mean 'Asia/Tokyo'? Use an IANA zone name such as Asia/Tokyo or America/New_York"],
    'wrong-extension.yml': ['schedule files end in .yaml: rename wrong-extension.yml to wrong-extension.yaml'],
    'yaml-syntax-error.yaml': ["2:9: YAML syntax error: did not find expected ',' or '}' while parsing a flow mapping that began on line 1, column 8: fix the YAML syntax"],
}


def problems(path: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_show(path, path.name)
    assert all(e.path == path.name for e in caught.value.errors)
    # A problem at a place in the file is said with its line and column; one of the whole
    # file (its name, its size, nothing in it) with none.
    return [f"{e.line}:{e.column}: {e.message}" if isinstance(e, ScheduleError) else e.message
            for e in caught.value.errors]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rejected_with_exact_message(name):
    assert problems(INVALID / name) == EXPECTED[name]


def test_every_invalid_fixture_is_in_the_table():
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(EXPECTED)


def test_error_renders_as_path_line_column_message():
    with pytest.raises(CatalogueError) as caught:
        load_show(INVALID / "unknown-timezone.yaml")
    assert str(caught.value) == (
        f"{INVALID / 'unknown-timezone.yaml'}:9:15: unknown time zone 'Asia/Tokio', did you "
        "mean 'Asia/Tokyo'? Use an IANA zone name such as Asia/Tokyo or America/New_York")


def test_a_folder_reports_every_problem_of_every_file(tmp_path):
    for name in ("unknown-key.yaml", "dst-gap.yaml", "empty.yaml"):
        (tmp_path / name).write_bytes((INVALID / name).read_bytes())
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert [(Path(e.path).name, getattr(e, "line", None)) for e in caught.value.errors] == [
        ("dst-gap.yaml", 10), ("empty.yaml", None), ("unknown-key.yaml", 5),
        ("unknown-key.yaml", 10)]


def test_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"title: {en: Big}\n" + b"# padding\n" * (MAX_BYTES // 10 + 1))
    assert problems(big) == [f"file is over the {MAX_BYTES} "
                             "byte limit for one schedule: keep one season per file"]


def test_too_many_values_without_aliases_is_refused(tmp_path):
    many = tmp_path / "many.yaml"
    many.write_text("".join(f"k{i}: v\n" for i in range(60_000)))
    (message,) = problems(many)
    assert message.endswith("file holds more than 100000 values: a schedule never needs that "
                            "many; keep one season per file")


def test_alias_bomb_is_refused_with_bounded_memory():
    """The billion-laughs file names 10^9 values; refusing it must not build them."""
    tracemalloc.start()
    try:
        problems(INVALID / "alias-bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CatalogueError, match="no such folder of schedules") as caught:
        load_catalogue(tmp_path / "nowhere")
    assert str(caught.value).startswith(f"{tmp_path / 'nowhere'}: no such folder")


def test_a_problem_of_the_whole_file_is_said_without_a_line():
    # An editor sent to line 1 of a misnamed or empty file would look for a mistake there.
    for name, start in (("empty.yaml", "file is empty"), ("Bad_Name.yaml", "file name")):
        with pytest.raises(CatalogueError) as caught:
            load_show(INVALID / name)
        assert str(caught.value).startswith(f"{INVALID / name}: {start}"), str(caught.value)


def test_an_empty_folder_is_an_empty_catalogue(tmp_path):
    assert load_catalogue(tmp_path).shows == {}

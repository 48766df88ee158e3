"""Extreme and hidden values in schedule files: refused by `calfeed check` and by a running
server with `path:line:column: message`, and reported on /healthz.

How fast is measured by bench/hostile.py (docs/benchmarks.md), not here; the two tests of
linear cost have a bound far below what the quadratic checks took (31 s and 14 s)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from calfeed.errors import CatalogueError
from calfeed.schedule.show_file import load_show
from calfeed.web import state

ROOT = Path(__file__).resolve().parent.parent

SHOW = """\
title: {en: "TITLE"}
episodes: {count: COUNT, duration: DURATION}
releases:
  - id: tv
    name: TV
    kind: broadcast
    regions: [JP]
    timezone: Asia/Tokyo
    start: START
    every: EVERY
  - id: stream
    name: Stream
    kind: streaming
    regions: [US]
    follows: tv
    offset: OFFSET
"""
NORMAL = {"TITLE": "Show", "COUNT": "3", "DURATION": "30m", "START": "2024-01-10 24:55",
          "EVERY": "1 week", "OFFSET": "2h"}


def schedule(**values: str) -> str:
    text = SHOW
    for key, value in {**NORMAL, **values}.items():
        text = text.replace(key, value)
    return text


EXTREMES = [  # (values, words the message must hold)
    ({"START": "9999-12-01 24:55"}, "'start': years from 1970 to 2199 only"),
    ({"START": "0001-01-01 00:10", "OFFSET": "-2h30m"}, "'start': years from 1970 to 2199 only"),
    ({"EVERY": "999999999999 weeks"}, "'every': at most 52 weeks"),
    ({"DURATION": "99999999999999999h"}, "'duration': at most 24 hours"),
    ({"DURATION": "P99999999999D"}, "'duration': at most 24 hours"),
    ({"OFFSET": "P99999999999D"}, "'offset': at most 30 days"),
    ({"OFFSET": "-999999999h"}, "'offset': at most 30 days"),
    ({"START": "2199-12-20 24:55", "COUNT": "200"}, "after 2199"),
    ({"START": "1970-01-01 00:10"}, "before 1970"),
    ({"TITLE": "a\\x00b"}, "control character U+0000"),
    ({"TITLE": "\\e[2J"}, "control character U+001B"),
    ({"TITLE": "a\\x0bb"}, "control character U+000B"),
    ({"TITLE": "a\\x0cb"}, "control character U+000C"),
    ({"TITLE": "a\\x1cb"}, "control character U+001C"),
    ({"TITLE": "a\\x7fb"}, "control character U+007F"),
    ({"TITLE": "a\\u2028b"}, "line separator U+2028"),
    ({"TITLE": "a\\u2029b"}, "paragraph separator U+2029"),
    ({"TITLE": "a\\u0085b"}, "control character U+0085"),
]


@pytest.mark.parametrize(("values", "message"), EXTREMES, ids=[m for _, m in EXTREMES])
def test_extreme_values_are_refused_with_their_position(tmp_path, values, message):
    path = tmp_path / "show.yaml"
    path.write_text(schedule(**values))
    with pytest.raises(CatalogueError) as refused:
        load_show(path)
    assert any(message in str(e) for e in refused.value.errors), str(refused.value)
    assert all(str(e).startswith(f"{path}:") for e in refused.value.errors)


def test_the_limits_themselves_are_accepted(tmp_path):
    path = tmp_path / "show.yaml"
    path.write_text(schedule(START="1970-02-05 05:00", EVERY="52 weeks", DURATION="24h",
                             OFFSET="-P30D"))
    assert load_show(path).releases[0].every_days == 364


def test_calfeed_check_refuses_them_without_a_traceback(tmp_path):
    (tmp_path / "show.yaml").write_text(schedule(START="9999-12-31 29:59"))
    result = subprocess.run([sys.executable, "-m", "calfeed.cli", "check", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert f"{tmp_path}/show.yaml:9:12: 'start': years from 1970 to 2199" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_running_server_refuses_them_and_says_so_on_healthz(make_on_copy, schedules):
    folder = schedules
    app = make_on_copy()
    served = app.test_client().get("/feeds/us.ics").data
    for values, message in EXTREMES:
        (folder / "extreme.yaml").write_text(schedule(**values))
        with app.app_context():
            assert state.service(app).reload() is False
        report = app.test_client().get("/healthz").get_json()
        assert report["status"] == "degraded"
        assert any(message in e for e in report["details"]["errors"]), report
        assert app.test_client().get("/feeds/us.ics").data == served


def test_an_unexpected_failure_in_a_load_is_reported_not_swallowed(make_on_copy, schedules,
                                                                   monkeypatch):
    folder = schedules
    app = make_on_copy()
    import calfeed.serve.load as module

    def broken(*args, **kwargs):
        raise OverflowError("date value out of range")
    monkeypatch.setattr(module, "publish", broken)
    (folder / "metallic-rouge.yaml").write_text(
        (folder / "metallic-rouge.yaml").read_text() + "\n# touched\n")
    with app.app_context():
        assert state.service(app).reload() is False
    report = app.test_client().get("/healthz").get_json()
    assert report["status"] == "degraded"


def test_a_valid_skip_list_of_40000_dates_is_accepted_whole(tmp_path):
    """Correctness only: how long it takes is measured by bench/hostile.py (no timed tests)."""
    first = date(1971, 1, 6)
    days = [(first + timedelta(days=i)).isoformat() for i in range(40_000)]
    text = schedule(START="1971-01-06 20:00").replace(
        "    every: 1 week\n", "    every: 1 day\n    skip: [" + ", ".join(days) + "]\n")
    path = tmp_path / "show.yaml"
    path.write_text(text)
    show = load_show(path)
    assert len(show.releases[0].skip) == 40_000


def test_20000_unknown_regions_are_reported_as_the_first_hundred(tmp_path):
    """Correctness only: how long it takes is measured by bench/hostile.py (no timed tests)."""
    names = ", ".join(f"Q{chr(65 + i % 26)}{i}" for i in range(20_000))
    path = tmp_path / "show.yaml"
    path.write_text(schedule().replace("regions: [JP]", f"regions: [{names}]"))
    with pytest.raises(CatalogueError) as refused:
        load_show(path)
    assert "unknown region 'QA0'" in str(refused.value.errors[0])
    # A file of thousands of mistakes lists the first ones and says there are more.
    assert len(refused.value.errors) <= 101
    assert "more problems in this file" in str(refused.value.errors[-1])


@pytest.mark.parametrize("raw", ["\u2028", "\u2029", "\u0085", "\u009b"])
def test_raw_separators_and_c1_controls_are_refused_too(tmp_path, raw):
    path = tmp_path / "show.yaml"
    path.write_text(schedule(TITLE=f"a{raw}b"), encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        load_show(path)
    assert f"U+{ord(raw):04X}" in str(refused.value.errors[0])

"""Every listed time says where it comes from: the week page and the show cards flag imported
times ("not verified") and inferred ones ("tentative") as the show page does, with a legend.

Found trying the pages as a new user: the front page and /week showed bangumi-data's guessed
times exactly like Metallic Rouge's verified ones.
"""

from __future__ import annotations

import re

import pytest

from tests.test_catalogue_serving import dataset


@pytest.fixture
def imported_client(make_app, tmp_path):
    folder = dataset(tmp_path / "bangumi-data")
    return make_app(IMPORT=1, IMPORT_PATH=str(folder),
                    CALENDARS_PATH=str(tmp_path / "calendars.sqlite3")).test_client()


def flags_by_show(html: str, element: str) -> dict[str, set[str]]:
    """show id -> the flags shown in that show's list items (week) or cards."""
    found: dict[str, set[str]] = {}
    pattern = (r'<li class="airing" data-show="([^"]+)".*?</li>' if element == "airing"
               else r'<article[^>]*data-show="([^"]+)".*?</article>')
    for match in re.finditer(pattern, html, re.S):
        flags = set(re.findall(r'<span class="flag"[^>]*>([^<]+)</span>', match.group(0)))
        found.setdefault(match.group(1), set()).update(flags)
    return found


def test_the_week_flags_imported_and_inferred_times_and_says_what_they_mean(imported_client):
    html = imported_client.get("/week?region=jp&from=2024-01-08").get_data(as_text=True)
    flags = flags_by_show(html, "airing")
    assert flags["metallic-rouge"] == set()                 # curated: verified
    assert flags["current-show"] == {"not verified"}        # the dataset's time
    assert flags["nagai-anime"] == {"tentative"}            # open-ended: inferred
    assert 'class="flags-legend"' in html


def test_a_week_of_curated_times_alone_has_no_flags_or_legend(make_app):
    html = make_app().test_client().get("/week?region=jp&from=2024-01-08").get_data(as_text=True)
    assert flags_by_show(html, "airing")["metallic-rouge"] == set()
    assert "flags-legend" not in html and 'class="flag"' not in html


@pytest.mark.parametrize("url, expected", [
    ("/?region=jp", {"metallic-rouge": set(), "current-show": {"not verified"},
                     "nagai-anime": {"tentative"}}),
    # First aired on 21 December 2023, with its episodes to come: a Winter 2024 show.
    ("/seasons/2024-winter?region=jp", {"metallic-rouge": set(),
                                         "current-show": {"not verified"}}),
])
def test_show_cards_flag_the_time_they_show(imported_client, url, expected):
    html = imported_client.get(url).get_data(as_text=True)
    assert flags_by_show(html, "card") == expected
    assert 'class="flags-legend"' in html


def test_an_empty_season_says_where_the_catalogue_ends(make_app, tmp_path):
    """Found as a new user: the front page of a season the dataset does not reach yet said
    only "no show", not that the catalogue stops at an earlier season."""
    from datetime import datetime, timezone

    from tests.conftest import fixed_clock
    folder = dataset(tmp_path / "bangumi-data")
    late = fixed_clock(datetime(2024, 11, 30, tzinfo=timezone.utc))
    html = make_app(IMPORT=1, IMPORT_PATH=str(folder), CLOCK=late,
                    CALENDARS_PATH=str(tmp_path / "c.sqlite3")).test_client().get(
        "/?region=jp").get_data(as_text=True)
    assert "No show of Fall 2024 watchable in Japan is in the catalogue yet." in html
    assert "Its newest season is" in html and ">Winter 2024</a>" in html
    assert "the imported shows come from bangumi-data 9.9.1" in html

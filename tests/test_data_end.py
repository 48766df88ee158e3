"""Saying how current the data is: every page's footer names the dataset and its date, and an
empty week, season, region feed or schedule after the data's end says that is why."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from icalendar import Calendar

from tests.conftest import fixed_clock
from tests.test_catalogue_serving import ITEMS, dataset

# The small catalogue without its open-ended long runner: nothing airs after April 2024.
ENDED = [i for i in ITEMS if i["end"]]
LATER = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
WHY = "The schedule data ends in January 2024; shows announced since then appear once calfeed"


@pytest.fixture
def late(make_app, tmp_path):
    folder = dataset(tmp_path / "bangumi-data", items=ENDED)
    return make_app(IMPORT=1, IMPORT_PATH=str(folder), CLOCK=fixed_clock(LATER)).test_client()


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return " ".join(response.text.split())


def test_every_page_names_the_data_and_its_date(late):
    for url in ("/", "/week?region=jp", "/seasons/2024-winter?region=jp", "/search?q=rouge",
                "/shows/metallic-rouge"):
        # Its newest start, as the package says nothing of its publication.
        assert "Schedule data: bangumi-data 9.9.1, 10 January 2024" in page(late, url), url


def test_an_empty_week_season_and_front_page_say_the_data_ended(late):
    for url in ("/", "/week?region=jp", "/seasons/2026-fall?region=jp"):
        assert WHY in page(late, url), url
    assert WHY not in page(late, "/seasons/2024-winter?region=jp")     # not empty
    assert WHY not in page(late, "/week?region=jp&from=2024-01-08")     # empty, but covered


def test_an_empty_region_feed_and_schedule_say_the_data_ended(late):
    calendar = Calendar.from_ical(late.get("/feeds/jp.ics").data)
    assert not calendar.walk("VEVENT") and WHY in str(calendar["DESCRIPTION"])
    japanese = Calendar.from_ical(late.get("/feeds/jp.ics?lang=ja").data)
    assert "番組データは2024-01までです" in str(japanese["DESCRIPTION"])
    document = late.get("/api/v1/schedule?region=jp").json
    assert document["airings"] == [] and document["note"].startswith(WHY)
    covered = late.get("/api/v1/schedule?region=jp&from=2024-01-08&to=2024-01-20").json
    assert covered["airings"] and "note" not in covered

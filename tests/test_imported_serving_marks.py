"""What the served app says about imported shows, on a small installed dataset next to the
curated Metallic Rouge: provenance marks, STATUS:TENTATIVE, attribution only where imported
data is, and the stable key's redirect (and attribution)."""

from __future__ import annotations

import json

import pytest
from icalendar import Calendar

SUBJECT = "900001"
# Two items: one with its own d Anime Store time (dataset) and a Crunchyroll start copied from
# the broadcast (inferred); Metallic Rouge's subject, which the curated file replaces.
ITEMS = [
    {"title": "テスト", "titleTranslate": {"en": ["Test Show"]}, "type": "tv", "lang": "ja",
     "officialSite": "https://example.jp/", "begin": "2024-01-10T16:25:00.000Z",
     "broadcast": "R/2024-01-10T16:25:00.000Z/P7D", "end": "2024-01-31T16:25:00.000Z",
     "sites": [{"site": "bangumi", "id": SUBJECT},
               {"site": "danime", "id": "9", "begin": "2024-01-11T03:00:00.000Z",
                "broadcast": "R/2024-01-11T03:00:00.000Z/P7D"},
               {"site": "crunchyroll", "id": "G1", "begin": "2024-01-10T16:25:00.000Z",
                "broadcast": "R/2024-01-10T16:25:00.000Z/P7D"}]},
    {"title": "メタリックルージュ", "titleTranslate": {"en": ["Metallic Rouge"]}, "type": "tv",
     "lang": "ja", "officialSite": "", "begin": "2024-01-10T16:25:00.000Z",
     "broadcast": "R/2024-01-10T16:25:00.000Z/P7D", "end": "2024-04-03T16:25:00.000Z",
     "sites": [{"site": "bangumi", "id": "425595"}]},
]
SITE_META = {
    "bangumi": {"urlTemplate": "https://bangumi.tv/subject/{{id}}", "type": "info"},
    "danime": {"urlTemplate": "https://animestore.docomo.ne.jp/animestore/ci_pc?workId={{id}}",
               "type": "onair", "regions": ["JP"]},
    "crunchyroll": {"urlTemplate": "https://www.crunchyroll.com/series/{{id}}/", "type": "onair"},
}


@pytest.fixture
def imported_client(make_app, tmp_path):
    package = tmp_path / "bangumi-data"
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text('{"version": "0.3.999"}', encoding="utf-8")
    (package / "dist/data.json").write_text(json.dumps({"siteMeta": SITE_META, "items": ITEMS}),
                                            encoding="utf-8")
    return make_app(IMPORT=1, IMPORT_PATH=str(package)).test_client()


def events(response):
    return {str(e["UID"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def test_the_served_catalogue_has_the_imported_show(imported_client):
    shows = {s["id"]: s for s in imported_client.get("/api/v1/shows").get_json()["shows"]}
    assert set(shows) == {"metallic-rouge", "test-show"}
    assert shows["test-show"]["ids"] == {"bangumi": SUBJECT}


def test_imported_feed_events_say_where_their_times_come_from(imported_client):
    jp = events(imported_client.get("/feeds/jp/test-show.ics?releases=all"))
    danime = jp[f"bgm{SUBJECT}-1-danime@calfeed"]
    assert str(danime["STATUS"]) == "CONFIRMED"
    assert str(danime["DESCRIPTION"]).endswith("\nTime from bangumi-data 0.3.999, not verified.")
    us = events(imported_client.get("/feeds/us/test-show.ics"))
    first = us[f"bgm{SUBJECT}-1-us@calfeed"]
    assert str(first["STATUS"]) == "TENTATIVE"
    assert "Time inferred from bangumi-data 0.3.999 (start copied from the broadcast" in \
        str(first["DESCRIPTION"])


def test_feed_descriptions_credit_the_dataset_only_with_imported_events(imported_client):
    imported = Calendar.from_ical(imported_client.get("/feeds/jp/test-show.ics").data)
    for name in ("DESCRIPTION", "X-WR-CALDESC"):
        text = imported[name].to_ical().decode().replace("\\,", ",").replace("\\;", ";")
        assert ("Includes data from bangumi-data 0.3.999 by the bangumi-data contributors "
                "(https://github.com/bangumi-data/bangumi-data), licensed under CC BY 4.0 "
                "(https://creativecommons.org/licenses/by/4.0/); changes: ") in text, name
    japanese = imported_client.get("/feeds/jp/test-show.ics?lang=ja").data.decode()
    assert "bangumi-dataの貢献者" in japanese.replace("\r\n ", "")
    assert "bangumi-data" not in imported_client.get("/feeds/us/metallic-rouge.ics").text


def test_api_documents_credit_the_dataset_only_with_imported_data(imported_client):
    credit = imported_client.get("/api/v1/shows").get_json()["attribution"]
    assert credit["title"] == "bangumi-data 0.3.999" and credit["license"] == "CC BY 4.0"
    assert imported_client.get("/api/v1/shows/test-show").get_json()["attribution"] == credit
    assert "attribution" not in imported_client.get("/api/v1/shows/metallic-rouge").get_json()
    window = "from=2024-01-01&to=2024-02-28"
    schedule = f"/api/v1/schedule?{window}&show="
    assert imported_client.get(schedule + "test-show").get_json()["attribution"] == credit
    assert "attribution" not in imported_client.get(schedule + "metallic-rouge").get_json()


def test_api_airings_carry_dataset_and_inferred_provenance(imported_client):
    airings = imported_client.get("/api/v1/shows/test-show").get_json()["airings"]
    kinds = {(a["release_id"], a["provenance"]["kind"]) for a in airings}
    assert kinds == {("jp-broadcast", "dataset"), ("danime", "dataset"),
                     ("crunchyroll", "inferred")}


def test_pages_mark_imported_times_and_credit_the_dataset_in_the_footer(imported_client):
    page = imported_client.get("/shows/test-show?region=jp").text
    assert 'data-provenance="dataset">Time from bangumi-data 0.3.999, not verified.' in page
    assert '>not verified</span>' in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    us = imported_client.get("/shows/test-show?region=us").text
    assert '>tentative</span>' in us
    # The footer credits the catalogue's imported data on every page, curated ones too.
    assert "bangumi-data 0.3.999" in imported_client.get("/shows/metallic-rouge?region=us").text


def test_the_stable_key_of_an_imported_show_redirects(imported_client):
    response = imported_client.get(f"/feeds/jp/bgm{SUBJECT}.ics?lang=ja")
    assert (response.status_code, response.headers["Location"]) == \
        (301, "/feeds/jp/test-show.ics?lang=ja")

"""The imported catalogue served: the setting, curated files winning, windows, SEQUENCE.

A small bangumi-data package written per test (IMPORT_PATH) keeps these fast; one test serves
the whole pinned dataset.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from calfeed.config import SettingError, load_config
from calfeed.errors import CatalogueError
from calfeed.serve.settings import Settings
from tests.conftest import NOW, fixed_clock

UTC = timezone.utc
META = {
    "bangumi": {"urlTemplate": "https://bangumi.tv/subject/{{id}}", "type": "info"},
    "crunchyroll": {"urlTemplate": "https://www.crunchyroll.com/series/{{id}}/", "type": "onair"},
}


def item(title, en, subject, begin, end="", broadcast=None, **fields):
    return {"title": title, "titleTranslate": {"en": [en]} if en else {}, "type": "tv",
            "lang": "ja", "officialSite": "", "begin": begin,
            "broadcast": broadcast if broadcast is not None else f"R/{begin}/P7D", "end": end,
            "sites": [{"site": "bangumi", "id": subject}], **fields}


# Relative to the tests' clock (2024-01-01): one ended long ago, one airing, one long runner
# without an end (a weekly show since 2019), and Metallic Rouge as the dataset has it.
ITEMS = [
    item("むかしのアニメ", "Old Show", "1", "2010-04-05T15:00:00.000Z", "2010-06-28T15:00:00.000Z"),
    item("いまのアニメ", "Current Show", "2", "2023-12-20T15:00:00.000Z",
         "2024-03-13T15:00:00.000Z"),
    item("ながいアニメ", "", "3", "2019-01-06T01:00:00.000Z"),
    item("メタリックルージュ", "Metallic Rouge", "425595", "2024-01-10T16:25:00.000Z",
         "2024-04-03T16:25:00.000Z"),
]


def dataset(folder, version="9.9.1", items=ITEMS):
    """A bangumi-data package as npm installs it: package.json and dist/data.json."""
    (folder / "dist").mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": "bangumi-data", "version": version}))
    (folder / "dist" / "data.json").write_text(json.dumps({"siteMeta": META, "items": items}))
    return folder


@pytest.fixture
def small(tmp_path):
    return dataset(tmp_path / "bangumi-data")


def events(response):
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.data).walk("VEVENT")


@pytest.mark.parametrize("written, on", [("1", True), ("true", True), ("2", True),
                                         ("0", False), ("false", False), ("0.0", False)])
def test_the_setting_reads_as_the_settings_take_it(monkeypatch, written, on):
    monkeypatch.setenv("CALFEED_IMPORT", written)
    assert Settings.from_mapping(load_config(), "instance").import_on is on


@pytest.mark.parametrize("written", ["no", "off", "yes", ""])
def test_words_the_setting_does_not_take_are_refused_at_start(monkeypatch, written):
    monkeypatch.setenv("CALFEED_IMPORT", written)
    with pytest.raises(SettingError, match="CALFEED_IMPORT="):
        load_config()


def test_off_serves_the_folder_alone(make_app, small):
    client = make_app(IMPORT=0, IMPORT_PATH=str(small)).test_client()
    assert [s["id"] for s in client.get("/api/v1/shows").json["shows"]] == ["metallic-rouge"]
    assert client.get("/feeds/jp/current-show.ics").status_code == 404


def test_on_serves_the_imported_shows_beside_the_folder(make_app, small):
    client = make_app(IMPORT=1, IMPORT_PATH=str(small)).test_client()
    ids = [s["id"] for s in client.get("/api/v1/shows").json["shows"]]
    # In the order of their ids, a page at a time (/api/v1/shows pages by id).
    assert ids == ["current-show", "metallic-rouge", "nagai-anime", "old-show"]
    found = events(client.get("/feeds/jp/current-show.ics"))
    assert len(found) == 13
    assert found[0].decoded("DTSTART") == datetime(2023, 12, 20, 15, 0, tzinfo=UTC)
    assert client.get("/shows/current-show?region=jp").status_code == 200
    assert client.get("/healthz").json["shows"] == 4


def test_the_curated_file_wins_over_the_same_subject(make_app, small):
    client = make_app(IMPORT=1, IMPORT_PATH=str(small)).test_client()
    shows = {s["id"]: s for s in client.get("/api/v1/shows").json["shows"]}
    assert "metallic-rouge-bgm425595" not in shows
    # The file's verified times, not the dataset's (broadcast 16:25 UTC there).
    first = events(client.get("/feeds/jp/metallic-rouge.ics"))[0]
    assert first.decoded("DTSTART") == datetime(2024, 1, 10, 15, 55, tzinfo=UTC)
    assert len(shows["metallic-rouge"]["releases"]) == 4


def test_import_on_and_off_are_different_data_versions(make_app, small, tmp_path):
    on = make_app(IMPORT=1, IMPORT_PATH=str(small)).test_client().get("/healthz").json
    off = make_app(IMPORT=0, STATE_PATH=str(tmp_path / "other.sqlite3")).test_client()
    assert on["version"] != off.get("/healthz").json["version"]


def test_a_missing_dataset_names_the_command_that_installs_it(make_app, tmp_path):
    with pytest.raises(CatalogueError, match="npm ci --prefix data/bangumi"):
        make_app(IMPORT=1, IMPORT_PATH=str(tmp_path / "nowhere"))


def test_a_region_feed_covers_its_window_around_now(make_app, small):
    client = make_app(IMPORT=1, IMPORT_PATH=str(small)).test_client()
    found = events(client.get("/feeds/jp.ics"))
    starts = sorted(e.decoded("DTSTART") for e in found)
    # From 14 days before the day of NOW (2024-01-01) to 61 days after, whatever the show.
    assert starts[0] >= NOW - timedelta(days=14) and starts[-1] < NOW + timedelta(days=61)
    titles = {str(e["SUMMARY"]).split(" #")[0] for e in found}
    assert titles == {"Metallic Rouge", "Current Show", "ながいアニメ"}
    # The long runner's episodes in the window only: weekly, up to its horizon four weeks
    # past the import's day (2024-01-29), so six of them.
    assert sum(str(e["SUMMARY"]).startswith("ながいアニメ") for e in found) == 6
    assert "from two weeks ago to two months ahead" in \
        str(Calendar.from_ical(client.get("/feeds/jp.ics").data)["X-WR-CALDESC"])


def test_a_show_feed_carries_the_whole_show(make_app, small):
    client = make_app(IMPORT=1, IMPORT_PATH=str(small)).test_client()
    # Weekly from 2019-01-06 to the horizon, four weeks past the import's day.
    assert len(events(client.get("/feeds/jp/nagai-anime.ics"))) == 265
    airings = client.get("/api/v1/shows/nagai-anime").json["airings"]
    assert airings[0]["start_utc"] == "2019-01-06T01:00:00Z" and len(airings) == 265


def test_the_window_clock_moves_with_now(make_app, small):
    later = datetime(2024, 6, 1, tzinfo=UTC)
    client = make_app(IMPORT=1, IMPORT_PATH=str(small), CLOCK=fixed_clock(later)).test_client()
    titles = {str(e["SUMMARY"]).split(" #")[0] for e in events(client.get("/feeds/jp.ics"))}
    assert titles == {"ながいアニメ"}


def test_the_size_budget_keeps_upcoming_airings_first(make_app, small):
    every = sorted(e.decoded("DTSTART") for e in events(
        make_app(IMPORT=1, IMPORT_PATH=str(small)).test_client().get("/feeds/jp/nagai-anime.ics")))
    client = make_app(IMPORT=1, IMPORT_PATH=str(small), FEED_MAX_BYTES=6_000).test_client()
    found = sorted(e.decoded("DTSTART") for e in events(client.get("/feeds/jp/nagai-anime.ics")))
    # The four upcoming ones, then the latest that ended, until the budget is full.
    assert sum(start > NOW for start in found) == 4 and 4 < len(found) < 265
    assert found == every[-len(found):]


def sequences(client, url):
    return {str(e["UID"]): int(e["SEQUENCE"]) for e in events(client.get(url))}


@pytest.mark.both_backends  # revisions of imported shows, in either store
def test_an_imported_shows_events_share_one_revision_that_rises_when_the_show_changes(
        make_app, tmp_path):
    first = dataset(tmp_path / "v1", "9.9.1")
    changed = [dict(i) for i in ITEMS]
    changed[1]["titleTranslate"] = {"en": ["Current Show (renamed)"]}
    second = dataset(tmp_path / "v2", "9.9.2", changed)

    def both(folder, current_id):
        client = make_app(IMPORT=1, IMPORT_PATH=str(folder)).test_client()
        return (sequences(client, "/feeds/jp/old-show.ics"),
                sequences(client, f"/feeds/jp/{current_id}.ics"))
    before, current = both(first, "current-show")
    again, _ = both(first, "current-show")
    after, renamed = both(second, "current-show-renamed")
    assert set(before.values()) == {0} and again == before
    # A new dataset version that moves none of a show's times does not re-send its events
    # (the version is not in the fingerprint); a show that changed rises, never falls.
    assert after == before
    assert set(current.values()) == {0} and set(renamed) == set(current)
    assert set(renamed.values()) == {1}


@pytest.mark.both_backends  # revisions of imported shows, in either store
def test_sequence_never_falls_when_a_show_moves_between_import_and_curated_file(
        make_app, tmp_path, schedules):
    source = dataset(tmp_path / "v1", "9.9.1")
    curated = schedules / "metallic-rouge.yaml"
    text = curated.read_text()
    uid = "bgm425595-1-jp@calfeed"

    def seq(version_folder, present):
        if present:
            curated.write_text(text)
        elif curated.exists():
            curated.unlink()
            (schedules / ".calfeed-allow-shrink").write_text("")
        app = make_app(schedules, IMPORT=1, IMPORT_PATH=str(version_folder))
        return sequences(app.test_client(), "/feeds/jp/metallic-rouge.ics")[uid]

    curated_first = seq(source, True)
    imported = seq(source, False)       # the file removed: the dataset's show, same UIDs
    curated_again = seq(source, True)
    assert curated_first < imported < curated_again
    changed = [dict(i) for i in ITEMS]
    changed[3]["titleTranslate"] = {"en": ["Metallic Rouge!"]}
    assert seq(dataset(tmp_path / "v2", "9.9.2", changed), False) > curated_again


def test_the_whole_pinned_dataset_is_served(make_app):
    client = make_app(IMPORT=1).test_client()
    assert client.get("/healthz").json["shows"] > 8400
    shows, url = {}, "/api/v1/shows?limit=200"
    while url:      # a page at a time, as a client reads them
        page = client.get(url).json
        shows.update((s["id"], s) for s in page["shows"])
        url = page["next"]
    assert len(shows) == page["total"] > 8400
    frieren = next(s for s in shows.values() if s["title"].get("ja") == "葬送のフリーレン")
    # Broadcast in Japan on Fridays at 23:00 JST, from 2023-09-29, as the dataset says.
    first = events(client.get(f"/feeds/jp/{frieren['id']}.ics?release=jp-broadcast"))[0]
    assert first.decoded("DTSTART") == datetime(2023, 9, 29, 14, 0, tzinfo=UTC)
    # Metallic Rouge keeps its verified times: Fuji TV +Ultra at 24:55 JST, 15:55 UTC.
    rouge = events(client.get("/feeds/jp/metallic-rouge.ics"))[0]
    assert rouge.decoded("DTSTART") == datetime(2024, 1, 10, 15, 55, tzinfo=UTC)


@pytest.mark.parametrize("path, message", [
    ("/feeds/jp/nagai.ics", "unknown show 'nagai', did you mean 'nagai-anime'? Search the "
     "catalogue by any title (English, Japanese, Chinese, romaji) at /search."),
    ("/api/v1/shows/zzz", "unknown show 'zzz': no show of the catalogue's 4 has that id. "
     "Search the catalogue by any title"),
])
def test_an_unknown_show_in_a_large_catalogue_suggests_ids_and_search(make_app, small, path,
                                                                      message, monkeypatch):
    """Found as a new user: with 8,481 shows, '/shows/frieren' answered a list of the first 20
    ids (Mobile Suit Gundam…) and '8461 more'."""
    monkeypatch.setattr("calfeed.publish.catalogue.LISTED_SHOWS", 3)
    response = make_app(IMPORT=1, IMPORT_PATH=str(small)).test_client().get(path)
    assert response.status_code == 404
    body = response.get_json()["error"]["message"] if response.is_json else response.text
    assert body.startswith(message)

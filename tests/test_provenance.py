"""Provenance on every airing: curated, dataset or inferred, in the API, on the
show page, in each event's DESCRIPTION, and STATUS:TENTATIVE for inferred times."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from calfeed.publish.revisions import Revision
from calfeed.render import ics
from calfeed.render.page_values import episode_row, time_sources
from calfeed.render.provenance import of_airing, sentence
from calfeed.render.schedule_json import airing_entry
from calfeed.schedule.expand import expand_show
from calfeed.source.bangumi import ImportReport, item_to_show
from calfeed.source.sites import site_table
from tests.test_bangumi_import import META, NOW, item

REVISION = Revision(0, datetime(2024, 1, 1, tzinfo=timezone.utc))
CURATED_TEXT = "Time from calfeed's own schedule metallic-rouge.yaml, checked against its sources."


def imported(**fields):
    """A show of one fixture item with a d Anime Store stream (trusted starts, its own time)."""
    fields.setdefault("sites", [{"site": "danime", "id": "9", "begin": "2024-01-11T03:00:00.000Z",
                                 "broadcast": "R/2024-01-11T03:00:00.000Z/P7D"}])
    return item_to_show(item(**fields), META, "0.3.208", NOW, site_table(), ImportReport("0.3.208"))


def first(show, release_id):
    return next(a for a in expand_show(show) if a.release.id == release_id)


def event_text(airing) -> str:
    return ics.render_event(airing, airing.uid, REVISION, "en", ()).decode()


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "")


def test_dataset_time_says_its_version_and_that_it_is_not_verified():
    airing = first(imported(), "danime")
    found = of_airing(airing)
    assert (found.kind, found.source, found.notes) == ("dataset", "bangumi-data 0.3.208", ())
    assert sentence(found) == "Time from bangumi-data 0.3.208, not verified."
    event = unfolded(event_text(airing))
    assert "\\nTime from bangumi-data 0.3.208\\, not verified.\r\n" in event
    assert "STATUS:CONFIRMED\r\n" in event


def test_start_copied_from_the_broadcast_is_inferred_and_tentative():
    show = imported(sites=[{"site": "danime", "id": "9", "begin": "2024-01-10T16:25:00.000Z",
                            "broadcast": "R/2024-01-10T16:25:00.000Z/P7D"}])
    airing = first(show, "danime")
    found = of_airing(airing)
    assert found.kind == "inferred" and found.notes == ("start copied from the broadcast",)
    assert sentence(found) == ("Time inferred from bangumi-data 0.3.208 (start copied from the "
                               "broadcast), not verified.")
    event = unfolded(event_text(airing))
    assert "STATUS:TENTATIVE\r\n" in event and "STATUS:CONFIRMED" not in event
    # The broadcast itself is the dataset's own time.
    assert "STATUS:CONFIRMED\r\n" in event_text(first(show, "jp-broadcast"))


def test_open_ended_show_says_it_cannot_know_break_weeks():
    found = of_airing(first(imported(end=""), "jp-broadcast"))
    assert found.kind == "inferred"
    assert any("break weeks" in note for note in found.notes)
    assert any("no end date" in note for note in found.notes)
    assert "break weeks" in sentence(found)


def test_api_airing_carries_its_provenance():
    entry = airing_entry(first(imported(end=""), "jp-broadcast"), None, "en", None)
    provenance = entry["provenance"]
    assert provenance["kind"] == "inferred" and provenance["source"] == "bangumi-data 0.3.208"
    assert provenance["sources"] == ["bangumi-data 0.3.208 (CC BY 4.0)"]
    assert provenance["text"].startswith("Time inferred from bangumi-data 0.3.208 (no end date")


def test_page_rows_and_time_sources_of_an_imported_show():
    show = imported(sites=[{"site": "danime", "id": "9", "begin": "2024-01-10T16:25:00.000Z",
                            "broadcast": "R/2024-01-10T16:25:00.000Z/P7D"}])
    airings = expand_show(show)
    rows = {(r.release, r.provenance) for r in
            (episode_row(a, "en", a.release.timezone, NOW) for a in airings)}
    assert rows == {("Japanese TV broadcast", "dataset"), ("d Anime Store", "inferred")}
    sources = {s.releases: s for s in time_sources(airings)}
    assert {(s.releases, s.kind, s.sources) for s in sources.values()} == {
        (("Japanese TV broadcast",), "dataset", ()), (("d Anime Store",), "inferred", ())}
    assert sources[("Japanese TV broadcast",)].text == "Time from bangumi-data 0.3.208, not verified."


# The curated show, through the app.

def test_metallic_rouge_airings_are_curated_with_the_files_sources(client):
    body = client.get("/api/v1/schedule?region=us").get_json()
    provenance = {json.dumps(a["provenance"]) for a in body["airings"]}
    assert len(provenance) == 1
    found = body["airings"][0]["provenance"]
    assert (found["kind"], found["source"], found["notes"]) == ("curated", "metallic-rouge.yaml", [])
    assert len(found["sources"]) == 6 and found["sources"][0].startswith("Anime News Network")
    assert found["text"] == CURATED_TEXT


@pytest.mark.parametrize("region", ["jp", "us"])
def test_metallic_rouge_events_say_curated_and_are_confirmed(client, region):
    feed = unfolded(client.get(f"/feeds/{region}/metallic-rouge.ics").text)
    assert feed.count("BEGIN:VEVENT") == 13
    assert feed.count(CURATED_TEXT.replace(",", "\\,")) == 13
    assert feed.count("STATUS:CONFIRMED") == 13 and "TENTATIVE" not in feed


def test_metallic_rouge_page_names_where_its_times_come_from(client):
    page = client.get("/shows/metallic-rouge?region=jp").text
    assert 'data-provenance="curated">' + CURATED_TEXT.replace("'", "&#39;") in page
    assert "<dt>Fuji TV +Ultra</dt>" in page
    assert "Crunchyroll streams the series worldwide excluding Asia</li>" in page
    assert "not verified" not in page and "tentative" not in page


def test_a_time_that_stops_being_inferred_is_a_change_clients_take():
    from dataclasses import replace

    from calfeed.publish.revisions import fingerprint
    airing = first(imported(end=""), "jp-broadcast")
    confirmed = replace(airing, release=replace(airing.release, provenance="dataset"))
    curated = replace(airing, release=replace(airing.release, provenance="curated"))
    prints = {fingerprint(airing), fingerprint(confirmed), fingerprint(curated)}
    assert len(prints) == 3


def test_every_import_note_reads_in_japanese():
    """Each note source/bangumi.py writes has a translation: an inferred time in a lang=ja
    event is Japanese but for names (the dataset, the site)."""
    import re

    from calfeed.i18n import translations
    from calfeed.render.provenance import note_text
    from calfeed.source import bangumi
    notes = {bangumi.NO_BREAKS, bangumi.OPEN_ENDED, bangumi.NEW_OPEN_ENDED, bangumi.BY_DATE,
             bangumi.DAY_ONLY, bangumi.LISTED, bangumi.SERIES_PAGE, bangumi.ADDED_LATE,
             bangumi.LONG_RUNNER_SITE, bangumi.SLOT_CHANGED, "start copied from the broadcast"}
    for note in notes:
        japanese = note_text(note, translations("ja"))
        assert japanese != note and not re.search(r"[A-Za-z]{3,}", japanese), note
    # A Crunchyroll day without its time, of an open-ended show: the whole sentence.
    day_only = imported(end="", sites=[{"site": "crunchyroll", "id": "G1",
                                        "begin": "2024-01-11T00:00:00.000Z"}])
    japanese = sentence(of_airing(first(day_only, "crunchyroll")), translations("ja"))
    assert japanese.startswith("日付：bangumi-data 0.3.208からの推定（終了日未定")
    assert set(re.findall(r"[A-Za-z]+", japanese)) <= {"bangumi", "data"}
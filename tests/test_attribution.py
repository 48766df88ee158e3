"""Attribution of the imported dataset as CC BY 4.0 asks (title, creator, source, licence,
changes): in the page footer, the feed's description and the API, only where imported data is."""

from __future__ import annotations

from calfeed.render.attribution import (CHANGES, LICENCE_URL, SOURCE_URL, attribution,
                                        imported_source)
from calfeed.schedule.show_file import load_show
from calfeed.config import BUNDLED_SCHEDULES
from tests.test_provenance import imported

CURATED = load_show(BUNDLED_SCHEDULES / "metallic-rouge.yaml")


def test_curated_shows_need_no_attribution():
    assert imported_source(CURATED) is None
    assert attribution([CURATED]) is None and attribution([]) is None


def test_imported_show_is_credited_with_everything_the_licence_asks():
    show = imported()
    assert imported_source(show) == "bangumi-data 0.3.208"
    credit = attribution([CURATED, show, imported(end="")])
    assert credit.title == "bangumi-data 0.3.208"
    assert credit.as_json() == {
        "title": "bangumi-data 0.3.208", "creator": "the bangumi-data contributors",
        "source": "https://github.com/bangumi-data/bangumi-data", "license": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/", "changes": CHANGES}
    text = credit.text()
    for part in ("bangumi-data 0.3.208", "bangumi-data contributors", SOURCE_URL, "CC BY 4.0",
                 LICENCE_URL, CHANGES):
        assert part in text


# Through the app: a catalogue of curated shows alone credits nobody.

def test_curated_only_pages_feeds_and_api_carry_no_attribution(client):
    assert "bangumi-data" not in client.get("/shows/metallic-rouge?region=us").text
    assert "bangumi-data" not in client.get("/feeds/us/metallic-rouge.ics").text
    for path in ("/api/v1/shows", "/api/v1/shows/metallic-rouge", "/api/v1/schedule"):
        assert "attribution" not in client.get(path).get_json()


def test_attribution_is_described_in_openapi(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert set(schemas["Attribution"]["required"]) == {"title", "creator", "source", "license",
                                                       "license_url", "changes"}
    for document in ("ShowList", "ShowDetail", "Schedule"):
        assert schemas[document]["properties"]["attribution"] == {
            "$ref": "#/components/schemas/Attribution"}
        assert "attribution" not in schemas[document]["required"]


def test_the_feed_credit_reads_in_japanese():
    from calfeed.i18n import translations
    text = attribution([imported()]).text(translations("ja"))
    assert text.startswith("bangumi-data 0.3.208（bangumi-dataの貢献者、" + SOURCE_URL)
    assert "ライセンス：CC BY 4.0（" + LICENCE_URL + "）" in text and "変更点：calfeedは" in text

"""Regions: each country's display zone is where most of its people live; names from CLDR."""

from __future__ import annotations

from collections import defaultdict
from importlib import resources

import pytest

from calfeed.schedule import regions
from calfeed.schedule.regions import countries, country, primary_zones


def zone_tab() -> dict[str, list[str]]:
    """tzdata's zone.tab read here, apart from regions.py, so the test does not trust it."""
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[str]] = defaultdict(list)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _position, zone = line.split("\t")[:3]
            zones[code].append(zone)
    return zones


def test_every_country_with_several_zones_has_a_ranked_zone_of_its_own():
    several = {code: zones for code, zones in zone_tab().items() if len(zones) > 1}
    # Missing or stale rows: make the table again (data/primary_zones.py says how).
    assert set(primary_zones()) == set(several)
    for code, zone in primary_zones().items():
        assert zone in several[code], (code, zone)
        assert country(code).display_zone == zone


@pytest.mark.parametrize(("code", "zone"), [
    ("AU", "Australia/Sydney"), ("BR", "America/Sao_Paulo"), ("CA", "America/Toronto"),
    ("RU", "Europe/Moscow"), ("US", "America/New_York"), ("MX", "America/Mexico_City"),
    ("ID", "Asia/Jakarta"), ("KZ", "Asia/Almaty"), ("CD", "Africa/Kinshasa"),
    ("AR", "America/Argentina/Buenos_Aires"), ("UA", "Europe/Kyiv"), ("ES", "Europe/Madrid"),
    ("PT", "Europe/Lisbon"), ("NZ", "Pacific/Auckland"), ("CN", "Asia/Shanghai"),
])
def test_display_zone_is_where_most_people_live(code, zone):
    assert country(code).display_zone == zone


def test_single_zone_countries_keep_their_zone_and_zoneless_have_none():
    assert country("JP").display_zone == "Asia/Tokyo"
    assert country("GB").display_zone == "Europe/London"
    assert all(c.display_zone is None for c in countries().values() if not c.zones)


def test_a_country_the_table_does_not_know_falls_back_to_its_first_zone(monkeypatch):
    monkeypatch.setattr(regions, "primary_zones", lambda: {})
    assert country("AU").display_zone == zone_tab()["AU"][0]


def test_api_and_feeds_use_the_populous_zone(client):
    listed = {r["code"]: r for r in client.get("/api/v1/regions").get_json()["regions"]}
    assert listed["AU"]["display_zone"] == "Australia/Sydney"
    assert listed["CA"]["display_zone"] == "America/Toronto"


def test_names_are_cldrs_not_the_tz_databases():
    assert country("GB").name == "United Kingdom"      # tzdata: "Britain (UK)"
    assert country("KR").name == "South Korea"         # tzdata: "Korea (South)"
    assert country("US").name == "United States"
    # Every code has a CLDR name, so no tz database spelling is left.
    assert set(countries()) <= set(regions.territory_names("en"))


def test_names_in_japanese_and_english_for_an_unknown_language():
    assert (country("GB").name_in("ja"), country("KR").name_in("JA")) == ("イギリス", "韓国")
    assert country("JP").name_in("ja") == "日本"
    assert country("GB").name_in("xx") == country("GB").name_in(None) == "United Kingdom"


def test_api_regions_named_by_cldr(client):
    listed = {r["code"]: r for r in client.get("/api/v1/regions").get_json()["regions"]}
    assert listed["GB"]["name"] == "United Kingdom" and listed["KR"]["name"] == "South Korea"


@pytest.mark.parametrize(("typed", "code"), [
    ("south korea", "KR"), ("united kingdom", "GB"),
    # The tz database's spellings, which CLDR's names replaced, still find their country.
    ("turkey", "TR"), ("czech republic", "CZ"), ("korea (south)", "KR"),
])
def test_a_country_name_typed_for_a_code_is_answered_with_the_code(typed, code):
    with pytest.raises(regions.UnknownRegion, match=f"did you mean '{code}'"):
        regions.expand_region(typed)

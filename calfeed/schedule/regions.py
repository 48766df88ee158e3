"""Regions: ISO 3166-1 countries and UN M49 groups: zones from the tz database, names from CLDR."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..suggest import did_you_mean, quoted

GROUPS = ("world", "africa", "americas", "asia", "europe", "oceania")

# Codes people reach for that ISO 3166-1 spells otherwise.
_FAMILIAR_CODES = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True)
class Country:
    """A country or territory as the tz database lists it, named as CLDR names it in English."""

    code: str
    name: str
    zones: tuple[str, ...]

    def name_in(self, lang: str | None) -> str:
        """The country's name in a language ('イギリス' in ja), from CLDR; else `name`."""
        return territory_names(lang).get(self.code, self.name)

    @property
    def display_zone(self) -> str | None:
        """The zone most of the country's people live in (Sydney, not Lord Howe), if it has any."""
        if not self.zones:
            return None
        # A newer tzdata than the table knows keeps working, on its first zone, until the
        # table is made again (tests/test_regions.py says when).
        ranked = primary_zones().get(self.code)
        return ranked if ranked in self.zones else self.zones[0]


def _tzdata_table(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath(f"zoneinfo/{name}").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=None)
def countries() -> dict[str, Country]:
    """Every ISO 3166-1 alpha-2 code in tzdata's iso3166.tab, with its zones from zone.tab.

    Names are CLDR's ("United Kingdom", "South Korea"), the names people use, rather than the
    tz database's sortable ones ("Britain (UK)", "Korea (South)"), which stay for a code CLDR
    does not know yet.
    """
    zones: dict[str, list[str]] = {}
    for row in _tzdata_table("zone.tab"):
        zones.setdefault(row[0], []).append(row[2])
    english = territory_names("en")
    return {code: Country(code, english.get(code, name), tuple(zones.get(code, ())))
            for code, name in _tzdata_table("iso3166.tab")}


@lru_cache(maxsize=32)
def territory_names(lang: str | None) -> dict[str, str]:
    """CLDR's country names in a language, through Babel; none for a language it lacks."""
    from babel import Locale, UnknownLocaleError
    if not lang:
        return {}
    try:
        return dict(Locale.parse(lang, sep="-").territories)
    except (ValueError, TypeError, UnknownLocaleError):
        return {}


@lru_cache(maxsize=None)
def primary_zones() -> dict[str, str]:
    """The most populous zone of each country with several (data/primary-zones.tsv: tzdata ranks
    none, so the table sums GeoNames populations per zone; its header says how it is made)."""
    text = resources.files("calfeed").joinpath("data/primary-zones.tsv").read_text(encoding="utf-8")
    return dict(line.split("\t")[:2] for line in text.splitlines()
                if line and not line.startswith("#"))


@lru_cache(maxsize=None)
def groups() -> dict[str, frozenset[str]]:
    """The M49 groups by name; 'world' is every country."""
    text = resources.files("calfeed").joinpath("data/m49.tsv").read_text(encoding="utf-8")
    members: dict[str, set[str]] = {name: set() for name in GROUPS}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _number, group = line.split("\t")
            members[group].add(code)
    members["world"] = set(countries())
    return {name: frozenset(codes & members["world"]) for name, codes in members.items()}


class UnknownRegion(ValueError):
    """A region name that is neither a country code nor a group."""


def expand_region(name: str) -> frozenset[str]:
    """The country codes a region name stands for: a code (any case) or a group name."""
    # ASCII only: Unicode case mapping turns 'ıt' into 'IT' and 'ſe' into 'SE'.
    if not name.isascii():
        raise UnknownRegion(f"unknown region '{name}'")
    if name.lower() in GROUPS:
        return groups()[name.lower()]
    if name.upper() in countries():
        return frozenset({name.upper()})
    raise UnknownRegion(f"unknown region '{name}'{_suggestion(name)}")


def country(code: str) -> Country:
    """The country for a code in any case; raises UnknownRegion."""
    found = countries().get(code.upper()) if len(code) == 2 and code.isascii() else None
    if found is None:
        raise UnknownRegion(f"unknown region {quoted(code)}{_suggestion(code)}")
    return found


def region_from_languages(tags: list[str]) -> str | None:
    """The region a browser's language tags point to: 'en-GB' -> GB, 'ja' -> JP.

    A tag's own region wins; a bare language goes to the country CLDR's likely subtags give
    it (through Babel), so a Japanese browser without a region is taken to be in Japan.
    """
    from babel.core import get_global
    likely = get_global("likely_subtags")
    for tag in tags:
        parts = tag.replace("_", "-").split("-")
        for part in parts[1:]:
            if len(part) == 2 and part.upper() in countries():
                return part.upper()
        guess = likely.get(parts[0].lower(), "").split("_")[-1]
        if guess.upper() in countries():
            return guess.upper()
    return None


def _suggestion(name: str) -> str:
    upper = name.upper()
    if name.lower() in GROUPS:      # a schedule's word for many countries, not one region
        return f" ({name.lower()} is a group of countries; a region is one country)"
    if upper in _FAMILIAR_CODES:
        return f", did you mean '{_FAMILIAR_CODES[upper]}'?"
    return did_you_mean(name.lower(), _names_to_codes(), cutoff=0.8)


@lru_cache(maxsize=1)
def _names_to_codes() -> dict[str, str]:
    """Every name a person may type for a country: CLDR's, and the tz database's older
    spellings ('Turkey', 'Czech Republic'), which CLDR's names replaced; and the groups."""
    names = {name.lower(): code for code, name in _tzdata_table("iso3166.tab")}
    names |= {c.name.lower(): c.code for c in countries().values()}
    return names | {g: g for g in GROUPS}

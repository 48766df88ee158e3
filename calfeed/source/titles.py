"""English titles the dataset lacks, made from a show's series; shared English titles told apart."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Mapping

from ..schedule.model import Show

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_KANJI_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)}
_NUMBER = r"[0-9]+|[一二三四五六七八九十]|(?:ix|iv|v?i{1,3}|x)(?![a-z])"
# How titles number seasons and their parts, read after NFKC (Ⅱ is II, ２ is 2):
# 第2期, 第2シリーズ, 第二シーズン, シーズン2, Season 2, SEASON2, 2nd season, 2ndシーズン.
_SEASON = re.compile(r"第\s*(?P<a>[0-9]+|[一二三四五六七八九十])\s*(?:期|シリーズ|シーズン)"
                     r"|(?:シーズン|\bseason)\s*(?P<b>" + _NUMBER + r")\b"
                     r"|\b(?P<c>[0-9]+)(?:st|nd|rd|th)\s*(?:season|シーズン)", re.I)
_PART = re.compile(r"第\s*(?P<a>[0-9]+|[一二三四五六七八九十])\s*(?:部|クール)|\bpart\.?\s*(?P<b>[0-9]+)\b",
                   re.I)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10}
# Where a Japanese title goes on past the title of an earlier part of its series:
# 葬送のフリーレン(第2期), 機甲界ガリアン OVA.
SERIES_BREAK = frozenset(" \u3000(（第:：~～〜-・")
# What may follow a series' title for the rest to be carried over into English as it is.
_LATIN_REST = re.compile(r"[\x20-\x7e]+")


def has_japanese(text: str) -> bool:
    return _JAPANESE.search(text) is not None


def _number(text: str) -> int:
    text = text.lower()
    return int(text) if text.isdigit() else _KANJI_DIGITS.get(text) or _ROMAN[text]


def season_number(title: str) -> int | None:
    """The season a title names ('(第2期)', 'Season 2', '2nd season'), None when it names none."""
    found = _SEASON.search(unicodedata.normalize("NFKC", title))
    if found is None:
        return None
    return _number(next(group for group in found.groups() if group))


def part_number(title: str) -> int | None:
    found = _PART.search(unicodedata.normalize("NFKC", title))
    return _number(found["a"] or found["b"]) if found else None


def series_of(shows: list[Show], having=lambda show: True) -> dict[int, int]:
    """For each show, the show whose Japanese title its own begins with (the longest, at a
    break, among those `having` allows), by place in the list: 葬送のフリーレン(第2期) ->
    葬送のフリーレン. Only where the title breaks after the series': キャプテン翼 is not a part of
    キャプテン."""
    by_title = {}
    for number, show in enumerate(shows):
        if having(show):
            by_title.setdefault(show.title.get("ja"), number)
    found = {}
    for number, show in enumerate(shows):
        title = show.title.get("ja", "")
        for end in range(len(title) - 1, 1, -1):
            if title[end] in SERIES_BREAK and (series := by_title.get(title[:end].rstrip()))\
                    is not None and series != number:
                found[number] = series
                break
    return found


def with_english_titles(shows: Mapping[str, Show]) -> dict[str, Show]:
    """The shows, each sequel the dataset gives no English title one made from its series'
    ('Frieren: Beyond Journey's End Season 2' for 葬送のフリーレン(第2期)), and shows that share an
    English title told apart by their season ('MY HERO ACADEMIA Season 5'), else their year.
    A title made here is named in the show's `derived_titles`: the API says so."""
    listed = list(shows.values())
    english = {number: show.title["en"] for number, show in enumerate(listed)
               if "en" in show.title}
    made: dict[int, str] = {}
    # The longest series title with an English one: 進撃の巨人 Season3 Part.2 takes 進撃の巨人's
    # (and its own season and part), as 進撃の巨人 Season3 has none.
    for number, series in series_of(listed, lambda show: "en" in show.title).items():
        if number in english or series not in english or \
                not has_japanese(listed[number].title.get("ja", "")):
            continue    # (a title in Latin letters reads as it is)
        title = _sequel_title(english[series], listed[series], listed[number])
        if title:
            made[number] = title
    _tell_apart(listed, english, made)
    result = dict(shows)
    for number, title in made.items():
        show = listed[number]
        result[show.id] = replace(show, title={**show.title, "en": title},
                                  derived_titles=show.derived_titles | {"en"})
    return result


def _sequel_title(series_title: str, series: Show, show: Show) -> str | None:
    """The series' English title with the season (and part) the sequel's Japanese title names,
    or with the rest of that title when the rest is in Latin letters (' OAD')."""
    rest = show.title["ja"][len(series.title["ja"]):].strip()
    season, part = season_number(rest), part_number(rest)
    if season is not None and season_number(series_title) is None:
        return f"{series_title} Season {season}" + (f" Part {part}" if part else "")
    if _LATIN_REST.fullmatch(rest) and not has_japanese(rest):
        return f"{series_title} {rest}"
    return None


def _tell_apart(listed: list[Show], english: dict[int, str], made: dict[int, str]) -> None:
    """Shows that share an English title (the dataset's or a made one), but the first to air,
    each take the season their Japanese title names; those still alike, their first year (and
    month, where two began the same year)."""
    def by_season(number: int, title: str, _alike: list[int]) -> str | None:
        japanese = listed[number].title.get("ja", "")
        season, part = season_number(japanese), part_number(japanese)
        if season and season_number(title) is None:
            return f"{title} Season {season}" + (f" Part {part}" if part else "")
        return f"{title} Part {part}" if part and part_number(title) is None else None

    def by_year(number: int, title: str, alike: list[int]) -> str:
        day = _first_day(listed[number])
        same_year = sum(_first_day(listed[n]).year == day.year for n in alike) > 1
        return f"{title} ({day.strftime('%B %Y') if same_year else day.year})"

    for tell in (by_season, by_year):
        groups: dict[str, list[int]] = {}
        for number in {*english, *made}:
            groups.setdefault((made.get(number) or english[number]).casefold(), []).append(number)
        for numbers in groups.values():
            numbers.sort(key=lambda n: (_first_day(listed[n]), n))
            for number in numbers[1:]:
                if told := tell(number, made.get(number) or english[number], numbers):
                    made[number] = told


def _first_day(show: Show):
    # The first release's, as show ids take their year (names.py): an imported show's first
    # release is its broadcast, where a site's date may belong to another season.
    return show.releases[0].start.day


_ASKED_SEASON = re.compile(_SEASON.pattern + r"|\bs(?P<d>[0-9]+)\b", re.I)


def split_season(query: str) -> tuple[str, int | None]:
    """A search query without the season it asks for, and that season: 'frieren season 2'
    -> ('frieren', 2), 'slime s4' -> ('slime', 4); the query as it is when it names none, or
    names nothing else ('season 2' is a title's words)."""
    text = unicodedata.normalize("NFKC", query)
    found = _ASKED_SEASON.search(text)
    if found is None:
        return query, None
    rest = (text[:found.start()] + " " + text[found.end():]).strip()
    if not rest:
        return query, None
    return rest, _number(next(group for group in found.groups() if group))

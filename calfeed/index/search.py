"""Finding shows by any of their titles, as a person types: one index per catalogue version."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Mapping

from ..schedule.model import Show
from ..source.titles import season_number, series_of, split_season
from .title_keys import Readings, has_japanese, kana_key, reading, romaji_key

MAX_QUERY = 100         # characters of a query that are read; titles are shorter
_SEPARATOR = "\n"       # never in a key: keys hold letters and digits only


@dataclass(frozen=True)
class Hit:
    show: Show
    rank: tuple          # lower is better: the season asked for, how the query met the title,
                         # series before films, then newer first


# A series before its films and extras among equal matches ("one piece": the TV series first).
_KIND_ORDER = {"tv": 0, "web": 0, "ova": 1, "movie": 2}


class SearchIndex:
    """Every title of every show as search keys, joined in two long texts (kana and romaji
    keys) so that one `str.find` pass per query scans the whole catalogue. Besides its titles,
    a show is found by the short names fans type (`synonyms`, by stable key) and, a step below,
    by its series' titles and names and by titles calfeed made for it (derived)."""

    def __init__(self, shows: Mapping[str, Show], first_airing: Callable[[Show], datetime | None],
                 readings: Readings, synonyms: Mapping[str, tuple[str, ...]] | None = None):
        self.shows = list(shows.values())
        synonyms = synonyms or {}
        # Japanese titles only: Chinese ones hold kanji too, but pykakasi's Japanese readings
        # of them found nothing anyone types, and tripled the first start's reading time.
        readings = readings.of_all(t for show in self.shows for lang, t in show.title.items()
                                   if lang == "ja")
        kana, romaji, family = [], [], []
        for number, show in enumerate(self.shows):
            for lang, title in show.title.items():
                if lang in show.derived_titles:
                    family.append((romaji_key(title), number))
                    continue
                kana.append((kana_key(title), number))
                if title in readings and lang == "ja":
                    hira, hepburn = readings[title]
                    kana.append((kana_key(hira), number))
                    romaji.append((romaji_key(hepburn), number))
                elif not has_japanese(title):
                    romaji.append((romaji_key(title), number))
            for name in synonyms.get(show.uid_key, ()):
                kana.append((kana_key(name), number))
                if not has_japanese(name):
                    romaji.append((romaji_key(name), number))
            romaji.append((romaji_key(show.id), number))
        for number, titles in family_titles(self.shows, synonyms).items():
            family.extend((romaji_key(title), number) for title in titles)
            family.extend((kana_key(title), number) for title in titles if has_japanese(title))
        self._kana = _Keys(kana)
        self._romaji = _Keys(romaji)
        self._family = _Keys(family)
        self._seasons = [_season_of(show) for show in self.shows]
        self._kinds = [_KIND_ORDER.get(show.kind, 1) for show in self.shows]
        # Newer shows first among equal matches: the ones people look for.
        self._recency = [-first.timestamp() if (first := first_airing(show)) else 0.0
                         for show in self.shows]

    def search(self, query: str) -> list[Hit]:
        """Every show one of whose titles holds the query, best first: a whole title, then
        the start of one, then inside one; a season asked for ("frieren season 2") first."""
        text, season = split_season(query[:MAX_QUERY])
        kana = kana_key(text)
        if not kana:
            return []
        latin = romaji_key(reading(text)[1] if has_japanese(text) else text)
        best: dict[int, int] = {}
        for keys, wanted, worse in ((self._kana, kana, 0), (self._romaji, latin, 0),
                                    (self._family, latin, 1), (self._family, kana, 1)):
            # One character is in thousands of titles: it finds only titles that start with it.
            # Counted in the key searched: 'aa' and 'oooo' fold to the romaji key 'a' and 'o'
            # (long vowels written or not), which found 7,742 of 8,481 shows anywhere inside.
            for number, how in keys.find(wanted, starts_only=len(wanted) < 2):
                if how + worse < best.get(number, 9):
                    best[number] = how + worse
        hits = [Hit(self.shows[n], (0 if season in (None, self._seasons[n]) else 1, how,
                                    self._kinds[n], self._recency[n], self.shows[n].id))
                for n, how in best.items()]
        hits.sort(key=lambda hit: hit.rank)
        return hits


def _season_of(show: Show) -> int:
    """The season a show's titles name; a show that names none is its series' first."""
    for title in show.title.values():
        if (number := season_number(title)) is not None:
            return number
    return 1


def family_titles(shows: list[Show], synonyms: Mapping[str, tuple[str, ...]] | None = None
                  ) -> dict[int, list[str]]:
    """For each later part of a series (a show whose Japanese title begins with another's, at
    a break), the series' titles in Latin letters and its short names: the dataset often gives
    a sequel no English title, and people search for it by the series' ("frieren" for
    葬送のフリーレン(第2期)). They rank below the show's own titles."""
    synonyms = synonyms or {}
    found = {}
    for number, series in series_of(shows).items():
        show = shows[series]
        titles = [t for lang, t in show.title.items()
                  if not has_japanese(t) and lang not in show.derived_titles]
        titles.extend(synonyms.get(show.uid_key, ()))
        if titles:
            found[number] = titles
    return found


class _Keys:
    """Keys joined by a separator, with where each key starts, to map a match to its show."""

    def __init__(self, keys: list[tuple[str, int]]):
        keys = [(key, number) for key, number in keys if key]
        self.text = _SEPARATOR + _SEPARATOR.join(key for key, _ in keys) + _SEPARATOR
        self.starts, self.numbers = [], []
        at = 1
        for key, number in keys:
            self.starts.append(at)
            self.numbers.append(number)
            at += len(key) + 1

    def find(self, wanted: str, starts_only: bool = False):
        """(show number, 0 for the whole key, 1 for its start, 2 for inside) per match."""
        if not wanted:
            return
        # A key's start follows a separator: searching for both finds starts only.
        needle = _SEPARATOR + wanted if starts_only else wanted
        skip = len(needle) - len(wanted)
        found = self.text.find(needle)
        while found != -1:
            at = found + skip
            slot = bisect_right(self.starts, at) - 1
            start = self.starts[slot]
            whole = at == start and self.text[at + len(wanted)] == _SEPARATOR
            yield self.numbers[slot], 0 if whole else 1 if at == start else 2
            found = self.text.find(needle, found + 1)

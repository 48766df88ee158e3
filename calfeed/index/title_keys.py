"""Titles and queries folded to search keys: kana as typed, romaji as typed, any script."""

from __future__ import annotations

import json
import os
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Iterable, Mapping

from ..source.titles import has_japanese  # noqa: F401 (search's, beside the other keys)

# Katakana (ァ..ヶ, ヽヾ) to hiragana: the same sounds, so either finds the other.
_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {0x30FD: 0x309D,
                                                                    0x30FE: 0x309E}
# What a person leaves out or types another way: the long vowel mark (ー, ｰ after NFKC),
# middle dots, wave dashes and every space and punctuation mark.
_LONG_MARKS = "ー〜～・"
# Romaji spelt several ways for the same kana (Hepburn, Kunrei, what IMEs take: shi/si,
# tsu/tu, chi/ti, fu/hu, ji/zi, っち as tchi/cchi/tti) and long vowels written or not
# (ou, oo, uu, ū): each folded to one spelling, applied in this order to text and query alike.
_ROMAJI_FOLDS = (("tch", "cch"), ("sh", "sy"), ("ch", "ty"), ("ts", "t"), ("j", "zy"),
                 ("f", "h"), ("yi", "i"), ("ct", "tt"), ("ou", "o"), ("nn", "n"))
_REPEATED_VOWEL = re.compile(r"([aeiou])\1+")
# What keys leave out, as one regular expression each (a pass in C, not a loop per character):
# anything but letters and digits (and the long vowel marks); in romaji keys, anything but
# ASCII letters and digits (NFKD has split ū into u and a combining macron first).
_NOT_KANA_KEY = re.compile(f"[\\W_{_LONG_MARKS}]+")
_NOT_ROMAJI_KEY = re.compile(r"[^a-z0-9]+")


def kana_key(text: str) -> str:
    """NFKC, case folded, katakana as hiragana; spaces, punctuation and long vowel marks out.

    Japanese, Chinese and Latin titles alike: 'メタリック・ルージュ' and 'めたりっくるーじゅ' both
    give 'めたりっくるじゅ', 'Metallic Rouge' gives 'metallicrouge'.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA)
    return _NOT_KANA_KEY.sub("", folded)


def romaji_key(latin: str) -> str:
    """Latin text (romaji or English) folded so that the usual ways of typing it agree."""
    letters = _NOT_ROMAJI_KEY.sub("", unicodedata.normalize("NFKD", latin.casefold()))
    for spelt, canonical in _ROMAJI_FOLDS:
        letters = letters.replace(spelt, canonical)
    return _REPEATED_VOWEL.sub(r"\1", letters)


def reading(text: str) -> tuple[str, str]:
    """(hiragana reading, Hepburn romaji) of Japanese text through pykakasi: kanji read as
    words from its dictionary, so '葬送のフリーレン' reads 'そうそうのふりーれん', 'sousounofuriiren'."""
    parts = _kakasi().convert(text)
    return "".join(p["hira"] for p in parts), "".join(p["hepburn"] for p in parts)


def warm_reader() -> None:
    """Load pykakasi's dictionaries now (1.5 s or more), not in the first search that reads a
    Japanese query: with the titles' readings kept, nothing else at start loads them."""
    _kakasi()


_made = threading.Lock()


@lru_cache(maxsize=1)
def _kakasi():
    # One loads it, others wait: two threads loading at once would take twice as long.
    with _made:
        return _loaded()


@lru_cache(maxsize=1)
def _loaded():
    import pykakasi
    return pykakasi.kakasi()


class Readings:
    """Readings of titles, kept per title text: across data versions in memory (a reload that
    changes one schedule reads only the titles that changed) and, given a path, across
    restarts in a JSON file, since pykakasi takes about a millisecond a title (seconds for the
    imported catalogue). Readings kept with a dataset version (`learn`) are used as they are
    and not written to the file again: it holds the titles only this machine read (the
    curated schedules', or a dataset's nothing was derived for)."""

    def __init__(self, path: str | None = None):
        self._path = path
        self._known: dict[str, tuple[str, str]] | None = None
        self._learned: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def learn(self, readings: Mapping[str, list | tuple], reader: str | None) -> None:
        """Take readings made elsewhere (when a dataset was installed) by the same reader, in
        place of those an earlier version's install made."""
        if reader != reader_version() or not readings:
            return
        learned = {title: tuple(pair) for title, pair in readings.items()}
        with self._lock:
            self._learned = learned

    def of_all(self, titles: Iterable[str]) -> dict[str, tuple[str, str]]:
        with self._lock:
            if self._known is None:
                self._known = self._read()
            known, learned = self._known, self._learned
        fresh = {title: learned.get(title) or known.get(title) or reading(title)
                 for title in set(titles)}
        own = {title: pair for title, pair in fresh.items() if title not in learned}
        with self._lock:
            # Only the current titles stay, so the memo cannot grow without end.
            self._known = own
        if self._path and own.keys() != known.keys():
            self._write(own)
        return fresh

    def _read(self) -> dict[str, tuple[str, str]]:
        try:
            with open(self._path, encoding="utf-8") as file:
                saved = json.load(file)
        except (TypeError, OSError, ValueError):
            return {}   # no file yet, or one that cannot be read: read the titles again
        if not isinstance(saved, dict) or saved.get("reader") != reader_version():
            return {}
        return {title: tuple(pair) for title, pair in saved.get("readings", {}).items()
                if isinstance(pair, list) and len(pair) == 2}

    def _write(self, readings: dict[str, tuple[str, str]]) -> None:
        # A cache: failing to write it costs time at the next start, never an answer.
        temporary = f"{self._path}.{os.getpid()}.tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump({"reader": reader_version(), "readings": readings}, file,
                          ensure_ascii=False)
            os.replace(temporary, self._path)
        except OSError:
            pass


def reader_version() -> str:
    from importlib.metadata import version
    return f"pykakasi {version('pykakasi')}"

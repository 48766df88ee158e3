"""Readable, stable show ids for imported shows: English title slugs, else romanised Japanese."""

from __future__ import annotations

import re
import threading
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator, Mapping

from ..schedule.model import Show
from .synonyms import synonym_table
from .titles import SERIES_BREAK, has_japanese

MAX_SLUG = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1)
def _kakasi():
    # Imported on first use: a worker serving the schedules folder alone never needs it, and
    # its import and dictionaries cost a start that restarts must keep short.
    import pykakasi
    return pykakasi.kakasi()


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens ('METALLIC ROUGE' -> 'metallic-rouge')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:MAX_SLUG].rstrip("-")


_known = threading.local()


@contextmanager
def remembered(table: dict[str, str]) -> Iterator[dict[str, str]]:
    """Romanise through `table` (title -> romaji) in this thread, adding what is read anew:
    a dataset's table is made when it is installed and kept beside it (about 80% of an
    import's time is pykakasi's), so a worker's start reads it instead."""
    _known.table = table
    try:
        yield table
    finally:
        _known.table = None


def romanise(text: str) -> str:
    """Japanese in Hepburn romaji, word by word (pykakasi: kanji, kana, and their readings);
    words in Latin letters kept as they are, full-width ones too (ＳＦ is SF, not 'S F')."""
    table = getattr(_known, "table", None)
    if table is not None and text in table:
        return table[text]
    # Roman numerals (Ⅲ) stay a word of their own: NFKC would join them to the word before.
    spaced = _ROMAN_NUMERALS.sub(lambda found: f" {found.group()} ", text)
    parts = _LATIN_WORDS.split(unicodedata.normalize("NFKC", spaced))
    # split() with a group alternates: Japanese (or anything else) at even places, Latin at odd.
    found = " ".join(part if place % 2 else " ".join(p["hepburn"] for p in _kakasi().convert(part))
                     for place, part in enumerate(parts) if part.strip())
    if table is not None:
        table[text] = found
    return found


_ROMAN_NUMERALS = re.compile("[\u2160-\u217f]+")
_LATIN_WORDS = re.compile(r"([A-Za-z0-9][A-Za-z0-9.'&!?:/\- ]*)")


def latin_names(shows: list[Show], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """A kana name of a show titled in Latin letters -> that title ('ワンピース' -> 'ONE PIECE'),
    from the reviewed synonyms: the series' own spelling in the ids of its specials."""
    return {name: show.title["ja"] for show in shows
            if "ja" in show.title and not has_japanese(show.title["ja"])
            for name in synonyms.get(show.uid_key, ()) if has_japanese(name)}


def base_id(show: Show, latin: Mapping[str, str] | None = None) -> str:
    english = show.title.get("en")
    slug = slugify(english) if english else ""
    if not slug:
        original = next(iter(show.title.values()), "")
        for name, title in (latin or {}).items():
            rest = original[len(name):]
            if original.startswith(name) and (not rest or rest[0] in SERIES_BREAK):
                original = title + " " + original[len(name):]
                break
        slug = slugify(romanise(original))
    return slug or f"bgm{show.ids.get('bangumi', 'x')}"




def show_ids(shows: list[Show]) -> list[str]:
    """One distinct id per show, the same for the same dataset: shows whose
    titles slug alike are told apart by their first year, then by their bangumi.tv subject."""
    latin = latin_names(shows, synonym_table())
    bases = [base_id(show, latin) for show in shows]
    taken: dict[str, list[int]] = {}
    for index, base in enumerate(bases):
        taken.setdefault(base, []).append(index)
    ids = list(bases)
    for base, indexes in taken.items():
        if len(indexes) == 1:
            continue
        for index in indexes:
            ids[index] = f"{base}-{_year(shows[index])}"
        by_year: dict[str, list[int]] = {}
        for index in indexes:
            by_year.setdefault(ids[index], []).append(index)
        for with_year, same in by_year.items():
            if len(same) > 1:
                for index in same:
                    ids[index] = f"{with_year}-{_subject(shows[index], index)}"
    # A suffixed id can meet another show's plain one ("x-2024" the title of its own): the
    # later show in dataset order takes its subject too, so every id stays distinct.
    seen: set[str] = set()
    for index, show_id in enumerate(ids):
        if show_id in seen:
            ids[index] = show_id = f"{show_id}-{_subject(shows[index], index)}"
        seen.add(show_id)
    return ids


def _year(show: Show) -> int:
    return show.releases[0].start.day.year


def _subject(show: Show, index: int) -> str:
    # Items without a bangumi.tv subject fall back to their place in the dataset (rare: 68 items).
    bangumi = show.ids.get("bangumi")
    return f"bgm{bangumi}" if bangumi else f"item{index}"

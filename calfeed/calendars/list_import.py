"""A list kept elsewhere (MyAnimeList export XML, AniList MediaListCollection JSON) as show ids."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ..publish.catalogue import Catalogue
from ..query.parameter_error import ParameterError
from ..schedule.model import Show

MAX_ENTRIES = 5_000
GZIP_MAGIC = b"\x1f\x8b"
# Bytes a compressed list may unpack to: MAX_ENTRIES entries of an export take about 3 MB.
MAX_UNPACKED = 20_000_000


@dataclass(frozen=True)
class Matched:
    show_ids: tuple[str, ...]
    unmatched: tuple[str, ...]   # "MyAnimeList 12345", in the file's order


def match_list(data: bytes, catalogue: Catalogue, region: str | None = None) -> Matched:
    """The catalogue's shows whose `ids` name an entry of the file; only ids are read.

    bangumi-data gives one MyAnimeList id to a series and to items of its (ONE PIECE: the TV
    series and an arc listed apart): an entry takes the show watchable in `region` first,
    then the one with the most episodes (the series, not a special)."""
    source, ids = _read(data)
    index: dict[str, list[Show]] = {}
    for show in catalogue.shows.values():
        if source in show.ids:
            index.setdefault(show.ids[source], []).append(show)
    label = {"mal": "MyAnimeList", "anilist": "AniList"}[source]
    found, missing = [], []
    for entry in ids:
        candidates = index.get(entry)
        show_id = max(candidates, key=lambda show: (region in show.regions,
                                                    len(show.episodes))).id \
            if candidates else None
        if show_id is None:
            missing.append(f"{label} {entry}")
        elif show_id not in found:
            found.append(show_id)
    return Matched(tuple(found), tuple(missing))


def _read(data: bytes) -> tuple[str, list[str]]:
    if data[:2] == GZIP_MAGIC:      # MyAnimeList gives its export as animelist_….xml.gz
        data = _unpacked(data)
    text = data.lstrip()
    if text.startswith(b"<"):
        return "mal", _mal_ids(data)
    if text.startswith(b"{"):
        return "anilist", _anilist_ids(data)
    raise ParameterError("list", "the file is neither a MyAnimeList export (XML) nor an AniList "
                                 "list (JSON): export your list again and choose that file")


def _mal_ids(data: bytes) -> list[str]:
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ParameterError("list", f"the MyAnimeList file cannot be read as XML ({exc}): "
                                     "export your list again") from None
    except (LookupError, ValueError) as exc:
        # <?xml encoding="UTF-7"?> or a made-up name: expat reads neither (it was a 500).
        raise ParameterError("list", f"the MyAnimeList file declares an encoding calfeed cannot "
                                     f"read ({str(exc)[:80]}): export your list again "
                                     "(MyAnimeList writes UTF-8)") from None
    if root.tag != "myanimelist":
        raise ParameterError("list", "the XML file is not a MyAnimeList export: its root is "
                                     f"<{root.tag[:40]}>, not <myanimelist>")
    ids = [(e.findtext("series_animedb_id") or "").strip() for e in root.iter("anime")]
    return _checked([i for i in ids if i])


def _anilist_ids(data: bytes) -> list[str]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ParameterError("list", f"the AniList file cannot be read as JSON ({exc}): "
                                     "save the MediaListCollection answer again") from None
    # Either the whole GraphQL answer or just its MediaListCollection.
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document = document["data"]
    if isinstance(document, dict) and "MediaListCollection" in document:
        document = document["MediaListCollection"]
    lists = document.get("lists") if isinstance(document, dict) else None
    if not isinstance(lists, list):
        raise ParameterError("list", "the JSON file is not an AniList MediaListCollection: it "
                                     "has no \"lists\"")
    ids = []
    for one in lists:
        for entry in (one.get("entries") or []) if isinstance(one, dict) else []:
            media = entry.get("media") if isinstance(entry, dict) else None
            value = media.get("id") if isinstance(media, dict) else None
            if isinstance(value, int) and not isinstance(value, bool):
                ids.append(str(value))
    return _checked(ids)


def _unpacked(data: bytes) -> bytes:
    """A gzip file's contents, up to MAX_UNPACKED bytes (a small file can unpack to gigabytes)."""
    unpacker = zlib.decompressobj(wbits=31)
    try:
        unpacked = unpacker.decompress(data, MAX_UNPACKED + 1)
    except zlib.error:
        unpacked = None
    if unpacked is not None and len(unpacked) > MAX_UNPACKED:
        raise ParameterError("list", f"unpacked, the file is over {MAX_UNPACKED:,} bytes: export "
                                     "a shorter list (only watching or planned)")
    if unpacked is None or not unpacker.eof:       # damaged, or cut short
        raise ParameterError("list", "the file is compressed (.gz) but cannot be unpacked: unpack "
                                     "it first and choose the .xml inside")
    return unpacked


def _checked(ids: list[str]) -> list[str]:
    if len(ids) > MAX_ENTRIES:
        raise ParameterError("list", f"the list has {len(ids)} entries, over the {MAX_ENTRIES} "
                                     "read: export a shorter list (only watching or planned)")
    return ids

"""What calfeed works out from a dataset version once, when it is installed, to keep beside it.

A worker's start and a dataset swap then read these instead of working them out again: each
imported show's revision fingerprint (publish), its first airing (the season index) and the
readings of its Japanese titles (search). The show ids' romaji are kept by the install itself
(source/names.py). Fingerprints and first airings follow from calfeed's own code as much as
from the data, so they are used only while `loading.code_key()` is the one they were made by.
"""

from __future__ import annotations

from typing import Mapping

from ..publish.revisions import shared_print
from ..schedule.model import Show
from ..source.loading import code_key
from .season import first_airing
from .title_keys import Readings, has_japanese, reader_version


def derive(shows: Mapping[str, Show]) -> dict:
    """The derived parts of an import (JSON-ready), keyed by the code that made them."""
    prints = {}
    for show_id in sorted(shows):       # publish's order: the last show of a key wins there too
        prints[shows[show_id].uid_key] = shared_print(shows[show_id])
    firsts = {}
    for show_id, show in shows.items():
        moment = first_airing(show)
        firsts[show_id] = moment.isoformat() if moment else None
    readings = Readings(None).of_all(t for show in shows.values()
                                     for lang, t in show.title.items()
                                     if lang == "ja" or has_japanese(t))
    return {"code": code_key(), "prints": prints, "first": firsts,
            "reader": reader_version(), "readings": readings}

"""Prefilling my calendar from a MyAnimeList export or an AniList list: only ids, safely parsed."""

from __future__ import annotations

import dataclasses
import json

import pytest

from calfeed.publish.catalogue import Catalogue
from calfeed.calendars.list_import import match_list
from calfeed.query.parameter_error import ParameterError
from calfeed.schedule.show_file import load_show
from calfeed.config import BUNDLED_SCHEDULES


@pytest.fixture(scope="module")
def catalogue():
    # Until schedule files carry `ids:`, the show is given them here, as the catalogue will.
    show = dataclasses.replace(load_show(BUNDLED_SCHEDULES / "metallic-rouge.yaml"),
                               ids={"mal": "54744", "anilist": "158927"})
    catalogue = Catalogue.__new__(Catalogue)
    object.__setattr__(catalogue, "shows", {show.id: show})
    return catalogue


MAL = b"""<?xml version="1.0" encoding="UTF-8" ?>
<myanimelist>
  <myinfo><user_name>someone</user_name></myinfo>
  <anime><series_animedb_id>54744</series_animedb_id><series_title>Metallic Rouge</series_title></anime>
  <anime><series_animedb_id>1</series_animedb_id><series_title>Cowboy Bebop</series_title></anime>
</myanimelist>"""


def test_a_myanimelist_export_matches_by_id(catalogue):
    matched = match_list(MAL, catalogue)
    assert matched.show_ids == ("metallic-rouge",)
    assert matched.unmatched == ("MyAnimeList 1",)


def test_an_anilist_collection_matches_by_id(catalogue):
    answer = {"data": {"MediaListCollection": {"lists": [
        {"name": "Watching", "entries": [{"media": {"id": 158927}}, {"media": {"id": 1}}]},
        {"name": "Planning", "entries": [{"media": {"id": 158927}}]}]}}}
    matched = match_list(json.dumps(answer).encode(), catalogue)
    assert matched.show_ids == ("metallic-rouge",)
    assert matched.unmatched == ("AniList 1",)


@pytest.mark.parametrize("data, message", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><myanimelist>&a;</myanimelist>',
     "cannot be read as XML"),
    (b"<list><anime/></list>", "not a MyAnimeList export"),
    (b'{"lists": 3}', "not an AniList MediaListCollection"),
    (b"plain text", "neither a MyAnimeList export"),
    (b"<myanimelist><anime>", "cannot be read as XML"),
])
def test_unsafe_or_foreign_files_are_refused(catalogue, data, message):
    with pytest.raises(ParameterError, match=message):
        match_list(data, catalogue)


def test_an_id_shared_by_a_series_and_its_special_takes_the_series_watchable_here():
    """Found as a new user: MyAnimeList 21 (One Piece) matched the arc bangumi-data lists
    apart ("ONE PIECE エルバフ編", not watchable in the US), not the series that is."""
    series = dataclasses.replace(load_show(BUNDLED_SCHEDULES / "metallic-rouge.yaml"),
                                 id="series", ids={"mal": "21"})
    special = dataclasses.replace(series, id="special", episodes=series.episodes[:1],
                                  releases=tuple(r for r in series.releases
                                                 if "JP" in r.regions)[:1])
    catalogue = Catalogue.__new__(Catalogue)
    object.__setattr__(catalogue, "shows", {"series": series, "special": special})
    mal = MAL.replace(b"54744", b"21")
    assert match_list(mal, catalogue, "US").show_ids == ("series",)
    assert match_list(mal, catalogue, "JP").show_ids == ("series",)    # more episodes
    object.__setattr__(catalogue, "shows", {"special": special, "series": series})
    assert match_list(mal, catalogue, "US").show_ids == ("series",)

"""Finding any show (issue 13 §1): title keys, search over the whole imported catalogue, seasons,
and the pages /, /seasons and /search over HTTP."""

from __future__ import annotations

import json
import html
import re
from datetime import datetime, timezone

import pytest

from calfeed.render.search import SearchIndex, family_titles
from calfeed.render.season import (NotASeason, Season, SeasonIndex, first_airing, parse_season,
                                   season_of)
from calfeed.render.title_keys import Readings, kana_key, romaji_key
from calfeed.schedule.expand import expand_show
from calfeed.schedule.show_file import load_shows
from calfeed.schedule.synthetic import write_synthetic

HTML = "text/html; charset=utf-8"


@pytest.mark.parametrize(("one", "other"), [
    ("メタリックルージュ", "めたりっくるーじゅ"),      # katakana and hiragana
    ("メタリック・ルージュ", "ﾒﾀﾘｯｸﾙｰｼﾞｭ"),          # half-width kana (NFKC), a middle dot
    ("Metallic Rouge", "metallic  rouge!"),          # case, spaces, punctuation
    ("ＳＰＹ×ＦＡＭＩＬＹ", "spyfamily"),                # full-width Latin, a times sign
])
def test_kana_keys_agree(one, other):
    assert kana_key(one) == kana_key(other)


@pytest.mark.parametrize("spellings", [
    ("metarikkuruuju", "metarikku ruju", "Metarikku Rūju"),     # long vowels written or not
    ("shinpei", "sinpei", "shinnpei"),                          # Hepburn, Kunrei, IME
    ("tsukuyomi", "tukuyomi"), ("chuurippu", "tyuurippu"), ("furiiren", "huriren"),
    ("jujutsu", "zyuzyutu"), ("botchi", "bocchi", "botti"), ("toukyou", "tokyo", "Tōkyō"),
])
def test_romaji_spellings_agree(spellings):
    assert len({romaji_key(text) for text in spellings}) == 1


def test_readings_are_kept_across_restarts(tmp_path, monkeypatch):
    path = tmp_path / "readings.json"
    first = Readings(str(path)).of_all(["葬送のフリーレン"])
    assert first == {"葬送のフリーレン": ("そうそうのふりーれん", "sousounofuriiren")}

    def no_reading(text):
        raise AssertionError(f"read again: {text}")
    monkeypatch.setattr("calfeed.render.title_keys.reading", no_reading)
    assert Readings(str(path)).of_all(["葬送のフリーレン"]) == first
    path.write_text("not json")          # a broken cache is read again, not trusted
    with pytest.raises(AssertionError, match="read again"):
        Readings(str(path)).of_all(["葬送のフリーレン"])


@pytest.fixture(scope="module")
def catalogue(pytestconfig, tmp_path_factory):
    """The whole imported bangumi-data catalogue (8,000+ shows) and its search index; the
    titles' readings are kept in pytest's cache folder, as the app keeps them beside its state
    database, so only the first run pays pykakasi's seconds."""
    from calfeed.source.bangumi import load_dataset
    shows, _report = load_dataset(now=datetime(2026, 11, 30, tzinfo=timezone.utc))
    seasons = SeasonIndex.build(shows)
    cache = getattr(pytestconfig, "cache", None)     # absent with -p no:cacheprovider
    folder = cache.mkdir("calfeed-readings") if cache else tmp_path_factory.mktemp("readings")
    readings = Readings(str(folder / "readings.json"))
    return shows, seasons, SearchIndex(shows, lambda show: seasons.first[show.id], readings)


@pytest.mark.parametrize(("query", "show_id"), [
    ("metallic", "metallic-rouge"),
    ("メタリック", "metallic-rouge"),
    ("めたりっく", "metallic-rouge"),                   # hiragana for a katakana title
    ("metarikku", "metallic-rouge"),                    # romaji of the Japanese title
    ("frieren", "frieren-beyond-journey-s-end"),
    ("sousou no furiiren", "frieren-beyond-journey-s-end"),  # romaji of kanji, read by pykakasi
    ("そうそうの", "frieren-beyond-journey-s-end"),       # the kanji's reading in kana
    ("葬送的芙莉莲", "frieren-beyond-journey-s-end"),      # zh-Hans
    ("bocchi", "bocchi-the-rock"),
    ("botchi za rokku", "bocchi-the-rock"),
    ("spy family", "spy-family"),
    ("推しの子", "oshi-no-ko"),
    ("kusuriya", "the-apothecary-diaries"),
])
def test_search_finds_shows_by_any_title(catalogue, query, show_id):
    _shows, _seasons, index = catalogue
    found = [hit.show.id for hit in index.search(query)]
    assert show_id in found[:5], found[:5]


def test_a_sequel_without_an_english_title_is_found_by_its_series(catalogue):
    """Found as a new user: "frieren" missed 葬送のフリーレン(第2期), to which the dataset gives
    no English title. The series' titles find it, ranked below the series itself."""
    shows, _seasons, index = catalogue
    found = [hit.show.id for hit in index.search("frieren")]
    assert found[:2] == ["frieren-beyond-journey-s-end", "sousou-no-furiiren-dai-2-ki"]
    assert "kikoukai-garian-ova" in [hit.show.id for hit in index.search("galient")]
    # Only where the title breaks after the series': キャプテン翼 is not a part of キャプテン.
    by_title = {show.title.get("ja"): number for number, show in enumerate(shows.values())}
    family = family_titles(list(shows.values()))
    assert by_title["キャプテン翼"] not in family and by_title["バブルガムクライシス"] not in family


def test_search_finds_zh_hant_titles(catalogue):
    shows, _seasons, index = catalogue
    show = next(s for s in shows.values() if "zh-Hant" in s.title and len(s.title["zh-Hant"]) > 4
                and s.title["zh-Hant"] != s.title.get("zh-Hans"))
    assert show.id in [hit.show.id for hit in index.search(show.title["zh-Hant"])][:5]


def test_whole_titles_rank_first_and_one_character_finds_starts(catalogue):
    shows, _seasons, index = catalogue
    assert index.search("Metallic Rouge")[0].show.id == "metallic-rouge"
    hits = index.search("z")
    family = {list(shows)[n]: titles for n, titles in
              family_titles(list(shows.values())).items()}
    assert hits and all(any(kana_key(t).startswith("z") or romaji_key(t).startswith("z")
                            for t in (*hit.show.title.values(), hit.show.id,
                                      *family.get(hit.show.id, ()))) or
                        _reads_with(hit.show, "z") for hit in hits)
    assert index.search("") == [] and index.search("・ー ") == []


def _reads_with(show, letter):
    from calfeed.render.title_keys import reading
    return any(romaji_key(reading(t)[1]).startswith(letter) for t in show.title.values())


def test_first_airing_is_the_first_episodes_first_airing_in_japan(tmp_path):
    write_synthetic(60, tmp_path, seed=7)
    shows = {show_id: show for show_id, (show, _airings) in
             load_shows(tmp_path, {p.name: p.read_bytes() for p in tmp_path.iterdir()}).items()}
    for show in shows.values():
        first_episode = show.episodes[0].number
        expected = min(a.start_utc for a in expand_show(show) if a.episode.number == first_episode
                       and a.release.watchable_in("JP"))
        assert first_airing(show) == expected, show.id


@pytest.mark.parametrize(("moment", "season"), [
    (datetime(2023, 12, 31, 14, 59, tzinfo=timezone.utc), Season(2023, 3)),   # Dec 31, 23:59 JST
    (datetime(2023, 12, 31, 15, 0, tzinfo=timezone.utc), Season(2024, 0)),    # Jan 1, 00:00 JST
    (datetime(2024, 3, 31, 15, 0, tzinfo=timezone.utc), Season(2024, 1)),
    (datetime(2024, 9, 30, 14, 59, tzinfo=timezone.utc), Season(2024, 2)),
])
def test_seasons_follow_the_date_in_japan(moment, season):
    assert season_of(moment) == season


def test_season_slugs():
    assert parse_season("2024-winter") == (Season(2024, 0), True)
    assert parse_season("2024-autumn") == (Season(2024, 3), False)
    assert parse_season("2024-Fall") == (Season(2024, 3), False)
    assert Season(2024, 0).plus(-1).slug == "2023-fall"
    for wrong in ("2024", "2024-monsoon", "24-winter", "1066-winter"):
        with pytest.raises(NotASeason, match="2024-winter"):
            parse_season(wrong)


def test_seasons_hold_the_catalogue(catalogue):
    shows, seasons, _index = catalogue
    assert "metallic-rouge" in seasons.by_season[Season(2024, 0)]
    # Frieren's first two episodes aired on Friday 29 September 2023 in Japan: by the rule (the
    # season of the first airing) it is Summer 2023, though it ran through the fall.
    assert "frieren-beyond-journey-s-end" in seasons.by_season[Season(2023, 2)]
    assert "bocchi-the-rock" in seasons.by_season[Season(2022, 3)]
    listed = sum(len(ids) for ids in seasons.by_season.values())
    assert listed == sum(1 for first in seasons.first.values() if first) > 0.95 * len(shows)


# Over HTTP, on the bundled schedules (the app's clock: 2024-01-01, Winter 2024).

@pytest.mark.parametrize(("path", "status"), [
    ("/seasons", 200), ("/seasons/2024-winter", 200), ("/seasons/2024-winter?region=jp", 200),
    ("/seasons/1999-summer", 200), ("/seasons/2024-monsoon", 404), ("/seasons/2024-winter?x=1", 400),
    ("/search", 200), ("/search?q=", 200), ("/search?q=metal&region=jp&release=fod", 200),
    ("/search?q=metal&region=jp&release=crunchyroll", 400), ("/search?q=" + "a" * 101, 400),
    ("/search?q=metal&region=zz", 404), ("/search.json?q=metal", 200),
])
def test_catalogue_routes(client, path, status):
    assert client.get(path).status_code == status


@pytest.mark.parametrize(("path", "location"), [
    ("/seasons/2024-autumn", "/seasons/2024-fall"),
    ("/seasons/2024-WINTER?region=jp", "/seasons/2024-winter?region=jp"),
])
def test_other_spellings_of_a_season_redirect(client, path, location):
    response = client.get(path)
    assert (response.status_code, response.headers["Location"]) == (301, location)


def test_front_page_opens_on_the_current_season(client):
    page = client.get("/?region=jp").text
    assert re.search(r'Airing now: <a href="/seasons/2024-winter\?region=jp">Winter 2024</a> in '
                     r"Japan", page)
    assert 'href="/shows/metallic-rouge?region=jp"' in page
    assert re.search(r'action="/calendars/mine/shows" data-add-form>\s*'
                     r'<input type="hidden" name="show" value="metallic-rouge">', page)
    assert 'href="/seasons/2023-fall?region=jp"' in page and 'href="/seasons?region=jp"' in page
    assert 'action="/search"' in page


def test_season_page_lists_its_shows_and_neighbours(client):
    page = client.get("/seasons/2024-winter?region=us").text
    assert "<h1>Winter 2024</h1>" in page and "1 show in United States" in page
    assert 'href="/shows/metallic-rouge?region=us"' in page
    assert 'rel="prev" href="/seasons/2023-fall?region=us"' in page
    assert 'rel="next" href="/seasons/2024-spring?region=us"' in page
    korea = client.get("/seasons/2024-winter?region=kr").text
    assert "0 shows in South Korea" in korea and "not watchable in South Korea" in korea
    assert "0 shows" in client.get("/seasons/2024-spring?region=us").text


def test_search_page_without_script(client):
    page = client.get("/search?q=めたりっく&region=jp").text
    assert "1 show matches “めたりっく”." in page
    assert '<a href="/shows/metallic-rouge?region=jp">Metallic Rouge</a>' in page
    assert 'value="めたりっく"' in page
    assert "Winter 2024 · Fuji TV +Ultra, d Anime Store, FOD" in page
    assert "No show matches “gundam”." in client.get("/search?q=gundam").text


def test_search_filters_by_platform_in_the_region(client):
    page = client.get("/search?q=rouge&region=jp&release=fod").text
    assert '<option value="fod" selected>FOD (1)</option>' in page
    assert "1 show matches" in page
    assert "crunchyroll" not in page.split('id="release"')[1].split("</select>")[0]


def test_search_json_for_the_script(client):
    response = client.get("/search.json?q=METAL&region=us")
    assert response.content_type == "application/json"
    assert response.get_json() == {
        "query": "METAL", "region": "US", "region_name": "United States", "release": None,
        "total": 1, "shows": [{"id": "metallic-rouge", "title": "Metallic Rouge",
                               "title_ja": "メタリックルージュ", "season": "Winter 2024",
                               "url": "/shows/metallic-rouge?region=us", "watchable": True,
                               "releases": ["Crunchyroll"]}]}
    assert client.get("/search.json?q=metal&region=kr").get_json()["shows"][0]["watchable"] \
        is False


def test_the_index_is_built_once_per_data_version(app, client, monkeypatch):
    import calfeed.render.catalogue as catalogue_module
    built = []
    real = catalogue_module.SearchIndex

    def counting(*args):
        built.append(1)
        return real(*args)
    monkeypatch.setattr(catalogue_module, "SearchIndex", counting)
    for query in ("metal", "rouge", "めたり", "m"):
        assert client.get(f"/search?q={query}").status_code == 200
    assert len(built) == 1


def test_a_platform_mistake_is_refused_as_feeds_and_the_api_refuse_it(client):
    """One parser for `release` (issue 10 §1): search, the region feed and the schedule API
    give the same message for a platform not watchable in the region."""
    wanted = "release 'crunchyroll' cannot be watched in Japan: releases here are"
    for path in ("/search?q=metal&region=jp&release=crunchyroll",
                 "/feeds/jp.ics?release=crunchyroll",
                 "/api/v1/schedule?region=jp&release=crunchyroll"):
        answer = client.get(path)
        assert answer.status_code == 400 and wanted in html.unescape(answer.text), path

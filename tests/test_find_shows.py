"""Finding any show: title keys, search over the whole imported catalogue, seasons,
and the pages /, /seasons and /search over HTTP."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from calfeed.index.search import family_titles
from calfeed.index.season import (NotASeason, Season, first_airing, parse_season, season_of,
                                   season_of_start)
from calfeed.index.title_keys import Readings, kana_key, romaji_key
from calfeed.schedule.expand import expand_show
from calfeed.schedule.show_file import load_shows
from calfeed.schedule.synthetic import write_synthetic
from calfeed.source.synonyms import synonym_table

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
    monkeypatch.setattr("calfeed.index.title_keys.reading", no_reading)
    assert Readings(str(path)).of_all(["葬送のフリーレン"]) == first
    path.write_text("not json")          # a broken cache is read again, not trusted
    with pytest.raises(AssertionError, match="read again"):
        Readings(str(path)).of_all(["葬送のフリーレン"])


def test_readings_a_dataset_kept_are_used_and_not_written_again(tmp_path, monkeypatch):
    from calfeed.index.title_keys import reader_version
    path = tmp_path / "readings.json"
    kept = {"葬送のフリーレン": ["そうそうのふりーれん", "sousounofuriiren"]}
    readings = Readings(str(path))
    readings.learn(kept, reader_version())
    found = readings.of_all(["葬送のフリーレン", "メタリックルージュ"])
    assert found["葬送のフリーレン"] == ("そうそうのふりーれん", "sousounofuriiren")
    # The file holds only the title this machine read, and a restart does not write it again.
    assert json.loads(path.read_text())["readings"].keys() == {"メタリックルージュ"}
    again = Readings(str(path))
    again.learn(kept, reader_version())
    writes = []
    monkeypatch.setattr(Readings, "_write", lambda self, fresh: writes.append(fresh))
    assert again.of_all(["葬送のフリーレン", "メタリックルージュ"]) == found and writes == []


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
    family = family_titles(list(shows.values()), synonym_table())
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
    names = _names_of(shows)
    assert hits and all(any(kana_key(t).startswith("z") or romaji_key(t).startswith("z")
                            for t in names[hit.show.id]) or
                        _reads_with(hit.show, "z") for hit in hits)
    assert index.search("") == [] and index.search("・ー ") == []


@pytest.mark.parametrize("query", ["aa", "oooo", "uu", "ii"])
def test_repeated_letters_do_not_match_almost_every_show(catalogue, query):
    """'aa' and 'oooo' fold to one romaji letter, which is inside nearly every title: they
    found 7,742 of 8,481 shows, the slowest searches. Like one letter, they now find titles
    that start with it (or hold the letters as typed)."""
    shows, _seasons, index = catalogue
    hits = index.search(query)
    assert len(hits) < len(shows) // 4, len(hits)
    letter = romaji_key(query)
    names = _names_of(shows)
    assert all(any(query in kana_key(t) or romaji_key(t).startswith(letter)
                   for t in names[hit.show.id]) or
               _reads_with(hit.show, letter) for hit in hits)


def _names_of(shows) -> dict[str, tuple[str, ...]]:
    """What search matches a show by: its titles, id and short names, and its series'."""
    synonyms = synonym_table()
    family = {list(shows)[n]: titles for n, titles in
              family_titles(list(shows.values()), synonyms).items()}
    return {show.id: (*show.title.values(), show.id, *synonyms.get(show.uid_key, ()),
                      *family.get(show.id, ())) for show in shows.values()}


def _reads_with(show, letter):
    from calfeed.index.title_keys import reading
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


@pytest.mark.parametrize(("tokyo", "episodes", "season"), [
    ((2023, 9, 29, 23, 0), 28, Season(2023, 3)),     # Frieren: the last days of September
    ((2023, 9, 17, 0, 0), 12, Season(2023, 3)),      # the first of the last fourteen days
    ((2023, 9, 16, 23, 59), 12, Season(2023, 2)),    # the day before stays in the summer
    ((2023, 12, 31, 23, 59), 12, Season(2024, 0)),   # New Year's Eve: into the next year
    ((2023, 9, 29, 18, 0), 1, Season(2023, 2)),      # a film stays in the season of its day
    ((2023, 10, 1, 0, 0), 12, Season(2023, 3)),
    ((2024, 2, 28, 0, 0), 12, Season(2024, 0)),      # late in a season's middle month: stays
])
def test_a_series_begun_in_a_seasons_last_days_belongs_to_the_next(tokyo, episodes, season):
    moment = datetime(*tokyo, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert season_of_start(moment, episodes) == season


def test_season_lists_offer_only_seasons_with_shows(client):
    """The bundled schedules hold no show in Spring 2024, the season after the app's clock:
    the front page and /seasons do not offer it ("Spring 2024 0 shows")."""
    front = client.get("/?region=us").text
    assert "/seasons/2024-spring" not in front and "/seasons/2024-winter?region=us" in front
    every = client.get("/seasons?region=us").text
    assert "/seasons/2024-spring" not in every and '<span class="count">0' not in every


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
    # Frieren's first two episodes aired on Friday 29 September 2023 in Japan, the rest through
    # the fall: Fall 2023, as MyAnimeList and AniList file it.
    assert "frieren-beyond-journey-s-end" in seasons.by_season[Season(2023, 3)]
    assert seasons.season["frieren-beyond-journey-s-end"] == Season(2023, 3)
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
    assert 'href="/seasons?region=jp"' in page and 'action="/search"' in page


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


def test_the_index_is_built_before_the_first_request(make_app, monkeypatch):
    """Built as a data version is published, not by the first search (4 s and more with the
    imported catalogue, docs/benchmarks.md); never again for the same version."""
    import calfeed.index.catalogue_indexes as catalogue_module
    built = []
    real = catalogue_module.SearchIndex

    def counting(*args):
        built.append(1)
        return real(*args)
    monkeypatch.setattr(catalogue_module, "SearchIndex", counting)
    client = make_app().test_client()
    assert len(built) == 1          # at start, before any request
    for query in ("metal", "rouge", "めたり", "m"):
        assert client.get(f"/search?q={query}").status_code == 200
    assert len(built) == 1


def test_a_reload_builds_the_new_versions_index_before_serving_it(make_on_copy, schedules):
    from calfeed.web import state
    app = make_on_copy()
    path = schedules / "metallic-rouge.yaml"
    path.write_text(path.read_text().replace("title: {en: Metallic Rouge,",
                                             "title: {en: Metallic Rouge Renamed,"))
    assert state.service(app).reload()
    served = state.service(app).published
    # Kept beside the version with its search index already made: no request made it.
    found = served.beside("catalogue-indexes", lambda: pytest.fail("not built before serving"))
    assert found.search._value is not None
    assert found.search.get().search("renamed")[0].show.id == "metallic-rouge"


def test_a_platform_mistake_is_refused_as_feeds_and_the_api_refuse_it(client):
    """One parser for `release`: search, the region feed and the schedule API
    give the same message for a platform not watchable in the region."""
    wanted = "release 'crunchyroll' cannot be watched in Japan: releases here are"
    for path in ("/search?q=metal&region=jp&release=crunchyroll",
                 "/feeds/jp.ics?release=crunchyroll",
                 "/api/v1/schedule?region=jp&release=crunchyroll"):
        answer = client.get(path)
        assert answer.status_code == 400 and wanted in html.unescape(answer.text), path

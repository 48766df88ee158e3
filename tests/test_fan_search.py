"""Finding shows as fans type them, over the whole imported catalogue: seasons ("frieren season
2"), sequels' English titles made from their series, short names (tensura), kana names of
titles in Latin letters (ワンピース), and ids that keep a title's Latin words."""

from __future__ import annotations

import collections

import pytest

from calfeed.source.aliases import alias_table, show_index
from calfeed.source.names import romanise, slugify
from calfeed.source.synonyms import SYNONYMS_FILE, read_synonyms, synonym_table
from calfeed.source.titles import season_number, split_season
from tests.conftest import table_problem


def _found(index, query, count=5):
    return [hit.show.id for hit in index.search(query)][:count]


@pytest.mark.parametrize(("query", "first"), [
    ("frieren season 2", "葬送のフリーレン(第2期)"),
    ("apothecary diaries season 2", "薬屋のひとりごと(第2期)"),
    ("slime season 4", "転生したらスライムだった件 第4期"),
    ("Frieren 2nd season", "葬送のフリーレン(第2期)"),
    ("kanokari s3", "彼女、お借りします(第3期)"),
    ("tensura season 3", "転生したらスライムだった件 第3期"),
    ("frieren season 1", "葬送のフリーレン"),          # a show naming no season is the first
])
def test_a_season_asked_for_comes_first(catalogue, query, first):
    _shows, _seasons, index = catalogue
    assert index.search(query)[0].show.title["ja"] == first


@pytest.mark.parametrize(("query", "text", "season"), [
    ("frieren season 2", "frieren", 2), ("slime S4", "slime", 4), ("oshi no ko 3rd season",
                                                                   "oshi no ko", 3),
    ("フリーレン 第2期", "フリーレン", 2), ("season 2", "season 2", None), ("86", "86", None),
])
def test_a_query_is_read_with_the_season_it_names(query, text, season):
    assert split_season(query) == (text, season)


@pytest.mark.parametrize(("title", "season"), [
    ("葬送のフリーレン(第2期)", 2), ("キミと僕の最後の戦場 Season Ⅱ", 2), ("ゆるキャン△ SEASON3", 3),
    ("プリパラ 3rdシーズン", 3), ("ばいばい、アース(第2シーズン)", 2), ("ログ・ホライズン(第2シリーズ)", 2),
    ("第二期", 2), ("葬送のフリーレン", None), ("四月は君の嘘", None),
])
def test_season_numbers_in_titles(title, season):
    assert season_number(title) == season


@pytest.mark.parametrize(("show_id", "english"), [
    ("sousou-no-furiiren-dai-2-ki", "Frieren: Beyond Journey's End Season 2"),
    ("kusuriya-nohitorigoto-dai-2-ki", "The Apothecary Diaries Season 2"),
    ("tenshou-shitara-suraimu-datta-ken-dai-4-ki", "That Time I Got Reincarnated as a Slime "
                                                   "Season 4"),
    ("tenshou-shitara-suraimu-datta-ken-dai-2-ki-dai-1-bu", "That Time I Got Reincarnated as a "
                                                            "Slime Season 2 Part 1"),
    # 進撃の巨人 Season3 Part.2: its nearest series with an English title is 進撃の巨人.
    ("shingeki-no-kyojin-season3-part-2", "attack on titan Season 3 Part 2"),
])
def test_a_sequel_without_an_english_title_takes_its_series(catalogue, show_id, english):
    shows, _seasons, _index = catalogue
    assert (shows[show_id].title["en"], shows[show_id].derived_titles) == (english, {"en"})
    assert shows[show_id].name("en") == english      # what feeds, pages and the form show


def test_titles_the_dataset_gives_are_not_marked_derived(catalogue):
    shows, _seasons, _index = catalogue
    assert shows["frieren-beyond-journey-s-end"].derived_titles == frozenset()
    # A Japanese title in Latin letters reads as it is: no English one is made for it.
    assert "en" not in shows["one-piece-fan-letter"].title


def test_shows_that_share_an_english_title_are_told_apart(catalogue):
    shows, _seasons, _index = catalogue
    assert shows["my-hero-academia-2016"].title["en"] == "MY HERO ACADEMIA"
    assert shows["my-hero-academia-2021"].title["en"] == "MY HERO ACADEMIA Season 5"
    assert shows["my-hero-academia-2022"].title["en"] == "MY HERO ACADEMIA Season 6"
    english = collections.Counter(s.title["en"].casefold() for s in shows.values()
                                  if "en" in s.title)
    assert [title for title, count in english.items() if count > 1] == []


def test_katakana_finds_a_title_in_latin_letters_and_the_series_before_its_films(catalogue):
    shows, _seasons, index = catalogue
    assert _found(index, "ワンピース", 1) == ["one-piece"]
    found = _found(index, "one piece", 100)
    assert found[0] == "one-piece"
    kinds = [shows[show_id].kind for show_id in found]
    assert kinds.index("movie") > max(n for n, kind in enumerate(kinds) if kind == "tv"
                                      and found[n].startswith("one-piece-e"))


@pytest.mark.parametrize(("query", "show_id"), [
    ("tensura", "that-time-i-got-reincarnated-as-a-slime"),
    ("転スラ", "that-time-i-got-reincarnated-as-a-slime"),
    ("kanokari", "rent-a-girlfriend"),
    ("oregairu", "yahari-ore-no-seishun-rabukome-hamachigatteiru"),
    ("bnha", "my-hero-academia-2016"),
    ("jjk", "jujutsu-kaisen"),
])
def test_short_names_fans_type_find_the_show(catalogue, query, show_id):
    _shows, _seasons, index = catalogue
    assert _found(index, query, 1) == [show_id]


@pytest.mark.parametrize(("title", "slug"), [
    ("ＳＦ西遊記スタージンガー", "sf-saiyuuki-sutaajingaa"),        # full-width Latin letters
    ("ななか６／１７", "nanaka-6-17"),
    ("ルパン三世 PARTⅢ", "rupan-sansei-part-iii"),                # a Roman numeral, a word
    ("ONE PIECE エルバフ編", "one-piece-erubafu-hen"),
])
def test_ids_keep_the_latin_words_of_a_title(title, slug):
    assert slugify(romanise(title)) == slug


def test_specials_of_a_series_titled_in_latin_letters_take_its_spelling(catalogue):
    shows, _seasons, _index = catalogue
    special = next(s for s in shows.values() if s.title.get("ja") == "ワンピース エピソードオブ 空島")
    assert special.id == "one-piece-episoodoobu-sora-shima"
    # Its old id, and every other id this changed, leads to today's (a 301: Catalogue.current_id).
    index = show_index(shows.values(), alias_table())
    assert index.current_id("wanpiisu-episoodoobu-sora-shima") == special.id
    assert index.current_id("s-f-saiyuuki-sutaajingaa") == "sf-saiyuuki-sutaajingaa"
    assert all(index.current_id(old) for old in alias_table())


def test_the_committed_synonyms_name_shows_of_the_catalogue(catalogue):
    shows, _seasons, _index = catalogue
    keys = {show.uid_key for show in shows.values()}
    table = read_synonyms(SYNONYMS_FILE)
    assert table == synonym_table() and len(table) >= 15
    assert set(table) <= keys


@pytest.mark.parametrize(("text", "line", "message"), [
    ("tensura: {names: [tensura], sources: [x]}\n", 1, "not a stable key"),
    ("bgm1: {names: [tensura]}\n", 1, "exactly `names:`"),
    ("bgm1: {names: [], sources: [x]}\n", 1, "names must be a list"),
    ("bgm1: {names: [a], sources: [x]}\nbgm1: {names: [b], sources: [y]}\n", 2, "twice"),
    ("bgm1: {names: [a], sources: []}\n", 1, "at least one page"),
])
def test_a_bad_synonyms_file_names_the_line_and_the_fix(tmp_path, text, line, message):
    problem = table_problem(tmp_path, "synonyms.yaml", text, read_synonyms)
    assert (problem.path, problem.line) == (str(tmp_path / "synonyms.yaml"), line)
    assert message in problem.message


def test_a_made_title_is_the_shows_english_title_everywhere(make_app):
    """Pages, feeds, the calendar form and the API name 葬送のフリーレン(第2期) by the English title
    made from its series (not the Japanese title), and the API says it was made."""
    client = make_app(IMPORT=1).test_client()
    show_id, title = "sousou-no-furiiren-dai-2-ki", "Frieren: Beyond Journey's End Season 2"
    escaped = title.replace("'", "&#39;")
    assert f"<h1>{escaped} " in client.get(f"/shows/{show_id}?region=jp").text
    feed = client.get(f"/feeds/jp/{show_id}.ics").data.decode()
    assert f"SUMMARY:{title.replace(':', ':')}" in feed.replace("\r\n ", "")
    # The form finds it through its filter (it lists what is on air, then what the box finds).
    assert f'<label for="show-{show_id}">{escaped} <span class="title-other"' in \
        client.get("/calendars/new?region=jp&q=frieren+season+2").text
    show = client.get(f"/api/v1/shows/{show_id}").get_json()["show"]
    assert (show["title"]["en"], show["derived_titles"]) == (title, ["en"])
    found = client.get("/api/v1/search?q=frieren+season+2").get_json()["shows"][0]
    assert (found["id"], found["derived_titles"]) == (show_id, ["en"])

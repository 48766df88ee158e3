"""Pages in Japanese: with lang=ja or a Japanese browser no English word is left but names."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import unquote_plus

import pytest

from tests.conftest import fixed_clock

# Every kind of page, in the states that write different sentences: airing and aired shows, a
# week with a platform chosen and an empty one, a season with and without shows, a search with
# results and with none, a show that cannot be watched in the region, and error pages.
PAGES = ("/", "/?region=jp", "/seasons", "/seasons/2024-winter?region=jp",
         "/seasons/2031-winter", "/week?region=jp", "/week?region=us&release=crunchyroll",
         "/week?region=jp&from=2031-01-06", "/search?q=metal", "/search?q=metal&region=kr",
         "/search?q=zzzz", "/shows/metallic-rouge?region=jp&alarm=15",
         "/shows/metallic-rouge?region=us&alarm=7&releases=all", "/shows/metallic-rouge?region=kr",
         "/shows/no-such-show", "/seasons/not-a-season", "/week?from=yesterday")
# Attributes a person reads or hears (a tooltip, a screen reader's label, a hint in a box).
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# Quotations from the schedule's sources, listed as the file cites them.
QUOTED = ("provenance-sources",)
# Names that stay as their owners write them, besides the show's own: calfeed, its data and
# schedule file, the calendar apps, the list sites the calendar form imports from and the
# kinds of their files.
NAMES = ("calfeed", "bangumi-data", ".ics", "Apple", "Google", "Outlook.com", "Outlook",
         "Thunderbird", "metallic-rouge.yaml", "MyAnimeList", "AniList", ".xml", ".json")


class _Visible(HTMLParser):
    """The text a person sees or hears on a page, without scripts, quotations, and
    text the page marks as another language (a language's own name, an English error detail,
    a title in its language)."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.skipping: list[str] = []
        self.language = None    # the page's, from <html lang>

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "html":
            self.language = found.get("lang")
            return
        classes = (found.get("class") or "").split()
        if self.skipping or tag in ("script", "style") or \
                any(c in QUOTED for c in classes) or \
                found.get("lang", self.language) != self.language:
            if tag not in ("input", "br", "meta", "link"):
                self.skipping.append(tag)
            return
        self.texts += [found[name] for name in READ_ATTRIBUTES if found.get(name)]

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.texts.append(data)


def visible_text(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return " ".join(parser.texts)


def english_left(text: str, names) -> set[str]:
    """Latin words of three letters or more once names and addresses are taken out."""
    text = re.sub(r"(?:https?|webcal)://\S+", " ", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"[A-Z][A-Za-z]+/[A-Za-z_/+-]+", " ", text)    # tz names: Asia/Tokyo
    # Abbreviations are names too: JST and EST from the tz database, JSON, API, QR, ICS.
    text = re.sub(r"(?<![A-Za-z])[A-Z]{2,5}(?![A-Za-z])", " ", text)
    return set(re.findall(r"[A-Za-z]{3,}", text))


@pytest.fixture
def japanese_client(make_app):
    # Metallic Rouge is on the air: upcoming and aired episodes, countdowns, a moved one.
    app = make_app(CLOCK=fixed_clock(datetime(2024, 1, 20, tzinfo=timezone.utc)))
    return app.test_client(), app


# The release calfeed itself makes for an imported show: its name is calfeed's words, not a name.
IMPORTED_BROADCAST = "jp-broadcast"


def _shown_names(app) -> set[str]:
    """Proper names only: titles, studios, platforms as their owners write them. What calfeed
    writes about a show (the imported broadcast's name, the regions a release covers) is not
    one, and must be in the page's words."""
    from calfeed.web import state
    with app.app_context():
        catalogue = state.current().catalogue
    names = set(NAMES)
    for show in catalogue.shows.values():
        names |= set(show.title.values())
        names |= {r.name for r in show.releases if r.id != IMPORTED_BROADCAST}
        names |= {show.studio} if show.studio else set()
        names |= {title for episode in show.episodes for title in episode.titles.values()}
    return names


@pytest.mark.parametrize("path", PAGES)
def test_a_japanese_page_has_no_english_words_but_names(japanese_client, path):
    client, app = japanese_client
    names = _shown_names(app)
    # What the person typed is shown back as typed.
    names |= set(re.findall(r"q=(\w+)", path))
    for response in (client.get(path + ("&" if "?" in path else "?") + "lang=ja"),
                     client.get(path, headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"})):
        page = response.text
        assert '<html lang="ja">' in page, path
        # A feed is named in its own language (its lang=, English without), on the QR code too.
        feeds = {unquote_plus(name) for name in re.findall(r"addfromweb\?[^\"]*name=([^\"&]+)",
                                                            page)}
        assert not english_left(visible_text(page), names | feeds), (path, response.status_code)


def test_the_same_pages_in_english_are_found_english(japanese_client):
    """The check above can fail: the English pages it is run on are full of English words."""
    client, app = japanese_client
    names = _shown_names(app)
    for path in ("/", "/week?region=jp", "/shows/metallic-rouge?region=jp"):
        left = english_left(visible_text(client.get(path).text), names)
        assert {"Subscribe", "Times", "Every"} & left, path


def test_japanese_dates_countdowns_and_seasons_read_as_written(japanese_client):
    client, _app = japanese_client
    week = client.get("/week?region=jp&from=2024-01-22&lang=ja").text
    assert "<h1>2024年1月22日月曜日からの週</h1>" in week
    assert re.search(r'data-countdown>あと\d+日\d+時間</span>', week)
    assert "放送済み" in client.get("/week?region=jp&from=2024-01-15&lang=ja").text
    show = client.get("/shows/metallic-rouge?region=jp&lang=ja").text
    assert "2024年1月10日(水) 24:55" not in show and "2024年1月11日(木) 00:55 JST" in show
    assert '<option value="15">15分前</option>' in show
    seasons = client.get("/seasons?region=jp&lang=ja").text
    assert ">冬</a>" in seasons and "<h1>すべてのシーズン</h1>" in seasons
    assert "<h1>2024年冬</h1>" in client.get("/seasons/2024-winter?region=jp&lang=ja").text


def test_the_script_is_given_its_words_in_the_page_language(japanese_client):
    import html
    import json
    client, _app = japanese_client
    for lang, countdown in (("ja", "あと{minutes}分"), ("en", "in {minutes} min")):
        page = client.get(f"/week?region=jp&lang={lang}").text
        words = json.loads(html.unescape(re.search(r'data-words="([^"]*)"', page).group(1)))
        assert words["minutes"] == countdown and set(words) >= {"aired", "on_now", "zone",
                                                                "from", "until", "none"}


@pytest.mark.parametrize("path", ("/?region=jp", "/week?region=jp", "/seasons/2023-winter",
                                  "/search?q=anime&region=jp", "/shows/current-show?region=jp",
                                  "/shows/current-show?region=us", "/calendars/new?region=jp"))
def test_a_japanese_page_of_imported_shows_has_no_english_words_but_names(make_app, tmp_path,
                                                                           path):
    """Imported shows bring their own words: the flags and legend of unverified times, the
    footer's data line, the dataset's credit and the name calfeed gives their broadcast."""
    from tests.test_catalogue_serving import dataset
    app = make_app(IMPORT=1, IMPORT_PATH=str(dataset(tmp_path / "bangumi-data")),
                   CLOCK=fixed_clock(datetime(2024, 1, 2, tzinfo=timezone.utc)))
    client = app.test_client()
    page = client.get(path + "&lang=ja" if "?" in path else path + "?lang=ja").text
    if path.startswith("/?"):     # the parts that only imported data brings are there
        assert "スケジュールデータ：bangumi-data 9.9.1" in page and "推定" in page
        assert "bangumi-dataの貢献者" in page
    if "current-show" in path or path.startswith(("/week", "/calendars")):
        assert "日本のテレビ放送" in page, path
    if path.endswith("region=us"):     # where it can be watched instead, in Japanese words
        assert "日本のテレビ放送</span>: 日本" in page
    names = _shown_names(app) | {"anime"}
    left = english_left(visible_text(page), names)
    assert not left, path

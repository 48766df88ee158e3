"""My calendar's pages in Japanese: every page and state of the form, the calendar's page, the
buttons' no-script page, delete and the errors they meet, with no English word but names."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import datetime, timezone
from urllib.parse import unquote_plus

import pytest

from calfeed.web import state
from tests.conftest import SAME_ORIGIN, fixed_clock
from tests.test_pages_japanese import _shown_names, english_left, visible_text

JAPANESE = {"HTTP_ACCEPT_LANGUAGE": "ja-JP,ja;q=0.9,en;q=0.5"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
# Words on these pages besides names (_shown_names): what a person typed in the filter.
NAMES = ("metal", "zzzz")


def _app(make_app, schedules, tmp_path, name="c", **config):
    # Metallic Rouge on the air (its feed's window), so the form lists what airs now.
    return make_app(schedules, CALENDARS_PATH=str(tmp_path / f"{name}.sqlite3"),
                    CLOCK=fixed_clock(datetime(2024, 1, 20, tzinfo=timezone.utc)), **config)


def calendar_pages(app, language: dict, lang: str) -> dict[str, tuple[int, str]]:
    """Each page and state of My calendar as a person meets them, sent as this browser does:
    (status, page) by what it shows."""
    client = app.test_client()
    client.environ_base.update({**SAME_ORIGIN, **language})
    pages = {}

    def keep(label, response):
        pages[label] = (response.status_code, response.text)
        return response

    def get(label, path):
        return keep(label, client.get(path + ("&" if "?" in path else "?") + f"lang={lang}"))

    # Before a calendar: the buttons keep picks, and their page says so (no script).
    keep("nothing picked", client.get("/calendars/mine"))
    client.post("/calendars/mine/shows", data={"show": "metallic-rouge", "region": "jp"})
    keep("picked", client.get("/calendars/mine?show=metallic-rouge&done=picked&region=jp"))
    client.post("/calendars/mine/shows", data={"show": "escapes-and-long-japanese-titles",
                                               "region": "jp"})
    keep("picked two", client.get("/calendars/mine?show=metallic-rouge&done=picked&region=jp"))
    client.post("/calendars/mine/shows/remove", data={"show": "metallic-rouge", "region": "jp"})
    keep("unpicked", client.get("/calendars/mine?show=metallic-rouge&done=unpicked&region=jp"))
    # The form: empty, for a region, with picks ticked, filtered (found, none), in a region
    # where a show cannot be watched.
    get("new", "/calendars/new")
    get("new jp", "/calendars/new?region=jp")
    keep("new, no lang", client.get("/calendars/new?region=jp"))   # the browser's language
    get("new with shows", "/calendars/new?region=jp&show=metallic-rouge"
                          "&show=escapes-and-long-japanese-titles&platform=metallic-rouge:fod")
    get("filtered", "/calendars/new?region=jp&q=metal")
    get("filtered, none", "/calendars/new?region=jp&q=zzzz&show=metallic-rouge")
    get("new kr", "/calendars/new?region=kr")
    with app.app_context():
        rouge = state.current().catalogue.shows["metallic-rouge"]
        object.__setattr__(rouge, "ids", {**rouge.ids, "mal": "54744"})
    mal = (b"<myanimelist><anime><series_animedb_id>54744</series_animedb_id></anime>"
           b"<anime><series_animedb_id>1</series_animedb_id></anime></myanimelist>")
    for region in ("jp", "kr"):     # found, and found but not watchable in the region
        keep(f"imported {region}", client.post("/calendars/import", data={
            "region": region, "list": (io.BytesIO(mal), "animelist.xml")},
            content_type="multipart/form-data"))
    keep("no show chosen", client.post("/calendars", data={"region": "jp"}))
    # The calendar's page: made, saved, filtered, saved elsewhere meanwhile.
    # The language of titles as the form sends it: the one it has selected.
    titles = titles_chosen(pages["new, no lang"][1])
    made = client.post("/calendars", data={"region": "jp", "show": "metallic-rouge",
                                           "alarm": "15", "lang": titles})
    edit = made.headers["Location"].split("?")[0]
    get("created", made.headers["Location"])
    loaded = re.search(r'name="generation" value="(\d+)"', pages["created"][1]).group(1)
    client.post(edit, data={"region": "jp", "show": "metallic-rouge", "generation": loaded,
                            "lang": titles_chosen(pages["created"][1])})
    get("saved", f"{edit}?saved=1")
    get("edit filtered", f"{edit}?region=jp&q=metal&show=metallic-rouge")
    keep("saved elsewhere", client.post(edit, data={"region": "jp", "show": "metallic-rouge",
                                                    "generation": loaded, "lang": titles}))
    # The buttons once it exists: added (and added again on another platform), removed.
    client.post("/calendars/mine/shows", data={"show": "escapes-and-long-japanese-titles",
                                               "region": "jp"})
    keep("added", client.get("/calendars/mine?show=escapes-and-long-japanese-titles"
                             "&done=added&region=jp"))
    keep("added, undo", client.get("/calendars/mine?show=metallic-rouge&done=added&region=jp"
                                   "&before=earliest"))
    keep("removed", client.get("/calendars/mine?show=metallic-rouge&done=removed&region=jp"))
    # Errors met on the way: another site's form, a busy moment.
    keep("another site", client.post(edit, data={"region": "jp", "show": "metallic-rouge"},
                                     environ_overrides={"HTTP_SEC_FETCH_SITE": "cross-site"}))
    with state.service(app).saving:
        keep("busy", client.post(edit, data={"region": "jp", "show": "metallic-rouge"}))
    # Delete: asked, done, and the calendar's page after.
    get("delete", f"{edit}/delete")
    keep("deleted", client.post(f"{edit}/delete"))
    get("gone", edit)
    return pages


def titles_chosen(page: str) -> str:
    """The form's selected language of titles, as a browser sends it ("" for English)."""
    menu = re.search(r'<select id="cal-lang" name="lang">(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)"[^>]* selected', menu)
    return chosen.group(1) if chosen else ""


def limit_pages(app, language: dict) -> dict[str, tuple[int, str]]:
    """The limits' pages: a form too large, and one calendar too many this hour."""
    client = app.test_client()
    client.environ_base.update({**SAME_ORIGIN, **language})
    pages = {}
    form = {"region": "jp", "show": "metallic-rouge"}
    answer = client.post("/calendars", data={**form, "lang": "x" * 3000})
    pages["too large"] = (answer.status_code, answer.text)
    assert client.post("/calendars", data=form).status_code == 303
    answer = client.post("/calendars", data=form)
    pages["limit"] = (answer.status_code, answer.text)
    return pages


EXPECTED = {"created": 200, "saved": 200, "saved elsewhere": 409, "no show chosen": 400,
            "another site": 403, "busy": 503, "deleted": 200, "gone": 410, "too large": 413,
            "limit": 429}


@pytest.fixture
def japanese_pages(make_app, two_shows, tmp_path):  # noqa: F811
    app = _app(make_app, two_shows, tmp_path)
    limits = _app(make_app, two_shows, tmp_path, "limits", CALENDAR_CREATIONS_PER_HOUR=1,
                  CALENDAR_FORM_MAX_BYTES=2000)
    return app, {**calendar_pages(app, JAPANESE, "ja"), **limit_pages(limits, JAPANESE)}


def test_every_calendar_page_in_japanese_has_no_english_words_but_names(japanese_pages):
    app, pages = japanese_pages
    names = _shown_names(app) | set(NAMES)
    left = {}
    for label, (status, page) in pages.items():
        assert status == EXPECTED.get(label, 200), (label, page)
        assert '<html lang="ja">' in page, label
        # The feed's name, on the QR code too, is in the page's language: no exception for it.
        left[label] = english_left(visible_text(page), names)
    assert not any(left.values()), {label: words for label, words in left.items() if words}


def test_japanese_calendar_pages_read_as_written(japanese_pages):
    _app_, pages = japanese_pages
    assert "<h1>マイカレンダー</h1>" in pages["new"][1]
    assert "<strong>保存しました。</strong>" in pages["saved"][1]
    assert "マイカレンダーを登録" in pages["created"][1] and "通知" in pages["created"][1]
    # Made from a Japanese page without a language chosen: Japanese titles, a Japanese name.
    assert '<option value="ja" lang="ja" selected>日本語</option>' in pages["new, no lang"][1]
    for label in ("created", "saved"):
        assert "マイアニメ（日本、calfeed）" in html.unescape(unquote_plus(pages[label][1])), label
    assert '<option value="15" selected>15分前</option>' in pages["created"][1]
    assert "日本で視聴できる作品と、それぞれの視聴先" in pages["new jp"][1]
    assert '<select name="platform" aria-label="メタリックルージュの視聴先"><option ' \
        'value="metallic-rouge:earliest">最速</option>' in pages["new with shows"][1]
    # The Japanese title first, the English one after it and marked English (the filter
    # still finds either: "metal" above).
    assert '<label for="show-metallic-rouge">メタリックルージュ <span class="title-other" ' \
        'lang="en">Metallic Rouge</span></label>' in pages["filtered"][1]
    assert "「zzzz」に一致するものはありません" in pages["filtered, none"][1]
    assert "リストの1作品が見つかりました" in pages["imported jp"][1]
    assert "（この地域では視聴不可）" in pages["imported kr"][1]
    assert "このカレンダーを削除しますか？" in pages["delete"][1]
    assert "<h1 data-calendar-deleted>カレンダーを削除しました</h1>" in pages["deleted"][1]
    # An error's detail stays English, marked so; its gist is in the page's words.
    for label, gist in (("busy", "少し待って"), ("limit", "上限に達した"), ("gone", "削除されて"),
                        ("too large", "大きすぎます"), ("another site", "受け付けられません"),
                        ("no show chosen", "理由（英語）：")):
        page = pages[label][1]
        assert re.search(rf'<p class="error-gist">[^<]*{gist}', page), label
        assert '<p class="error-message" lang="en">' in page, label


def test_the_same_calendar_pages_in_english_are_english(make_app, two_shows, tmp_path):  # noqa: F811
    """The check above can fail: in English each of these pages is full of English words,
    and an English error page says its message once, without a gist."""
    app = _app(make_app, two_shows, tmp_path)
    limits = _app(make_app, two_shows, tmp_path, "limits", CALENDAR_CREATIONS_PER_HOUR=1,
                  CALENDAR_FORM_MAX_BYTES=2000)
    pages = {**calendar_pages(app, ENGLISH, "en"), **limit_pages(limits, ENGLISH)}
    names = _shown_names(app) | set(NAMES)
    for label, (status, page) in pages.items():
        assert status == EXPECTED.get(label, 200), (label, page)
        assert '<html lang="en">' in page and "error-gist" not in page, label
        assert len(english_left(visible_text(page), names)) > 5, label
    assert "<strong>Saved.</strong>" in pages["saved"][1]
    assert "Its 2 shows leave every calendar app" in pages["delete"][1]


def test_the_forms_script_is_given_its_words_in_the_page_language(make_app, two_shows,  # noqa: F811
                                                                  tmp_path):
    client = _app(make_app, two_shows, tmp_path).test_client()
    for lang, earliest, matching in (("ja", "最速", "「%(query)s」に一致"),
                                     ("en", "Earliest", "Matching “%(query)s”")):
        page = client.get(f"/calendars/new?region=jp&lang={lang}").text
        words = json.loads(html.unescape(re.search(r'data-words="([^"]*)"', page).group(1)))
        assert words["earliest"] == earliest and words["matching"] == matching
        assert {"where_label", "no_match", "some_match"} <= set(words)

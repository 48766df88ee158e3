"""Message catalogues: lang=ja events wholly in Japanese, catalogues complete and current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from icalendar import Calendar

from calfeed.i18n import translated_languages, translations
from calfeed.render import ics

ROOT = Path(__file__).parent.parent
LOCALE = ROOT / "calfeed" / "locale"
# str.format's {name} in code, %(name)s in templates (jinja2.ext.i18n, newstyle).
PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)s")


def read_messages(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def messages(catalogue) -> dict[tuple, object]:
    """Messages by (context, id); a plural message's id is its (singular, plural) pair."""
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)): m
            for m in catalogue if m.id}


def english_words() -> set[str]:
    """Every word of calfeed's own English messages, placeholders left out."""
    words = set()
    for _context, msgid in messages(read_messages(LOCALE / "calfeed.pot")):
        for text in (msgid if isinstance(msgid, tuple) else (msgid,)):
            words |= {w.lower() for w in re.findall(r"[A-Za-z]+", PLACEHOLDER.sub("", text))}
    return words


@pytest.fixture
def edited(schedules):
    """The bundled schedules with a skipped week and a moved episode in Japan, so an event
    says every line calfeed can write."""
    path = schedules / "metallic-rouge.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    start: 2024-01-10 24:55\n    every: 1 week\n",
                        "    start: 2024-01-10 24:55\n    every: 1 week\n"
                        "    skip: [2024-02-14]\n"
                        "    moves:\n      - {episode: 3, to: 2024-01-24 25:25}\n", 1)
    path.write_text(text, encoding="utf-8")
    return schedules


def test_a_japanese_event_has_no_english_words_but_names(make_app, edited):
    client = make_app(edited).test_client()
    feed = client.get("/feeds/jp/metallic-rouge.ics?lang=ja&alarm=0,1,15&releases=all")
    assert feed.status_code == 200
    calendar = Calendar.from_ical(feed.data)
    # Names stay as their owners write them: releases, the studio, calfeed and its schedule file.
    names = {w.lower() for name in ("Fuji TV +Ultra", "d Anime Store", "FOD", "Bones",
                                    "calfeed", "metallic-rouge.yaml")
             for w in re.findall(r"[A-Za-z]+", name)}
    english = english_words()
    assert {"episode", "on", "also", "studio", "starts", "streaming", "broadcast", "moved",
            "delayed"} <= english
    texts = [str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")]
    alarms = [str(a["DESCRIPTION"]) for a in calendar.walk("VALARM")]
    joined = "\n".join(texts)
    # The fixture reaches every line: moved, delayed, other releases, studio.
    assert "移動" in joined and "延期" in joined and "この地域では" in joined and "制作" in joined
    assert set(alarms) == {"まもなく始まります", "あと1分で始まります", "あと15分で始まります"}
    for text in texts + alarms:
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
        assert not (words - names), text
        assert not (words & english - names), text


def test_japanese_lines_read_as_written(make_app):
    client = make_app().test_client()
    event = Calendar.from_ical(client.get("/feeds/jp/metallic-rouge.ics?lang=ja").data) \
        .walk("VEVENT")[2]
    assert str(event["DESCRIPTION"]) == (
        "メタリックルージュ 第3話「境界の街」\n"
        "Fuji TV +Ultra（放送）で視聴できます。\n"
        "この地域ではd Anime Store（配信）、FOD（配信）でも視聴できます。\n"
        "アニメーション制作：Bones\n"
        "時刻：calfeedのスケジュールmetallic-rouge.yaml（出典と照合済み）")


def test_english_alarm_text_unchanged_and_singular_for_one_minute(client):
    calendar = Calendar.from_ical(client.get("/feeds/us/metallic-rouge.ics?alarm=0,1,15").data)
    assert [str(a["DESCRIPTION"]) for a in calendar.walk("VEVENT")[0].walk("VALARM")] == \
        ["Starting now", "Starts in 1 minute", "Starts in 15 minutes"]
    assert ics.alarm_block(15) == (b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                                   b"DESCRIPTION:Starts in 15 minutes\r\n"
                                   b"TRIGGER:-PT15M\r\nEND:VALARM\r\n")


def test_a_language_without_a_catalogue_is_english():
    assert translations("fr").gettext("Starting now") == "Starting now"
    assert translations("JA").gettext("Starting now") == "まもなく始まります"
    # A tag that is not one cannot name a file elsewhere.
    assert translations("../../etc").gettext("Starting now") == "Starting now"


def test_the_translated_languages_are_those_of_the_po_files():
    found = {p.parent.parent.name.replace("_", "-")
             for p in LOCALE.glob("*/LC_MESSAGES/calfeed.po")}
    assert translated_languages() == found | {"en"} and "ja" in found


def test_template_matches_the_code(tmp_path):
    """calfeed.pot lists exactly the messages the code marks: re-extract after a change
    (docs/design.md, "How to add a language")."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "--no-location", "--sort-output", "-o", str(fresh), "."],
                   cwd=ROOT, check=True, capture_output=True)
    assert set(messages(read_messages(fresh))) == set(messages(read_messages(LOCALE / "calfeed.pot")))


@pytest.mark.parametrize("po", sorted(LOCALE.glob("*/LC_MESSAGES/calfeed.po")),
                         ids=lambda p: p.parent.parent.name)
def test_each_catalogue_translates_every_message(po):
    wanted = messages(read_messages(LOCALE / "calfeed.pot"))
    catalogue = read_messages(po)
    have = messages(catalogue)
    assert set(have) == set(wanted), "run pybabel update (docs/design.md)"
    for key, message in have.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, key
        # Every placeholder kept, none invented: a translation cannot drop the title.
        ids = key[1] if isinstance(key[1], tuple) else (key[1],)
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(ids[-1])), key
            assert set(PLACEHOLDER.findall(string)) >= set(PLACEHOLDER.findall(ids[0])) - \
                {("", "num")}, key


def test_region_feed_in_japanese_names_the_region_in_japanese(client):
    calendar = Calendar.from_ical(client.get("/feeds/jp.ics?lang=ja").data)
    assert str(calendar["X-WR-CALNAME"]) == "日本のアニメ（calfeed）"
    assert "日本で視聴できる" in str(calendar["X-WR-CALDESC"])
    for text in (str(calendar["X-WR-CALNAME"]), str(calendar["X-WR-CALDESC"])):
        assert not {w.lower() for w in re.findall(r"[A-Za-z]+", text)} - {"calfeed"}, text
    plain = Calendar.from_ical(client.get("/feeds/jp.ics").data)
    assert str(plain["X-WR-CALNAME"]) == "Anime in Japan (calfeed)"


def test_a_language_without_words_keeps_names_english_too():
    from calfeed.i18n import words_language
    assert words_language("ko") == words_language(None) == words_language("../x") == "en"
    assert words_language("JA") == "ja"


def test_show_page_in_japanese_names_regions_in_japanese(client):
    from urllib.parse import quote_plus
    page = client.get("/shows/metallic-rouge?region=jp&lang=ja").text
    options = re.findall(r'<option value="(\w\w)"([^>]*)>([^<]*)</option>', page)
    assert ("jp", ' selected lang="ja"', "日本") in options
    assert ("gb", ' lang="ja"', "イギリス") in options and ("kr", ' lang="ja"', "韓国") in options
    names = [name for code, _attrs, name in options if len(code) == 2 and _attrs.endswith('"ja"')]
    assert names[0] == "アイスランド" and len(names) == 249
    # The subscribe links name the feeds as the feeds name themselves.
    assert quote_plus("メタリックルージュ（日本）") in page
    assert quote_plus("日本のアニメ（calfeed）") in page
    english = client.get("/shows/metallic-rouge?region=jp").text
    assert '<option value="gb">United Kingdom</option>' in english
    assert quote_plus("Anime in Japan (calfeed)") in english


def test_the_broadcast_calfeed_names_is_said_in_the_feeds_language_and_english_in_the_api(
        make_app, tmp_path):
    """An imported show's broadcast is named by calfeed, not by a platform: a Japanese feed says
    its name in Japanese (where to watch, the other releases), English feeds and the API as
    before."""
    from tests.test_catalogue_serving import dataset
    from tests.conftest import NOW, fixed_clock
    client = make_app(IMPORT=1, IMPORT_PATH=str(dataset(tmp_path / "bangumi-data")),
                      CLOCK=fixed_clock(NOW)).test_client()
    japanese = Calendar.from_ical(client.get("/feeds/jp/current-show.ics?lang=ja").data) \
        .walk("VEVENT")[0]
    english = Calendar.from_ical(client.get("/feeds/jp/current-show.ics").data).walk("VEVENT")[0]
    assert str(japanese["LOCATION"]) == "日本のテレビ放送"
    assert "日本のテレビ放送（放送）で視聴できます。" in str(japanese["DESCRIPTION"])
    assert "Japanese TV broadcast" not in str(japanese["DESCRIPTION"])
    assert str(english["LOCATION"]) == "Japanese TV broadcast"
    assert "On Japanese TV broadcast (broadcast)." in str(english["DESCRIPTION"])
    api = client.get("/api/v1/shows/current-show?lang=ja").json
    assert [r["name"] for r in api["show"]["releases"]] == ["Japanese TV broadcast"]
    assert {a["release_name"] for a in api["airings"]} == {"Japanese TV broadcast"}

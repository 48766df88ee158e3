"""My calendar through the test client: create, subscribe, edit, delete; limits and CSRF."""

from __future__ import annotations

import html
import io
import re
import json
import sqlite3

import pytest
from icalendar import Calendar

from calfeed.web import state
from tests.conftest import SAME_ORIGIN, browser_client

pytestmark = pytest.mark.both_backends

TWO_SHOWS = ("metallic-rouge", "escapes-and-long-japanese-titles")


@pytest.fixture
def stored_rows(database_url, tmp_path):
    """One statement (`?` placeholders) on the test's calendars, in whichever backend they
    are: its rows, committed."""
    def run(sql: str, parameters=()):
        if database_url:
            import psycopg
            with psycopg.connect(database_url, autocommit=True) as connection:
                cursor = connection.execute(sql.replace("?", "%s"), parameters)
                return cursor.fetchall() if cursor.description else []
        with sqlite3.connect(tmp_path / "calendars.sqlite3") as connection:
            return connection.execute(sql, parameters).fetchall()
    return run


def token(client) -> str:
    """For tests written when forms carried a CSRF token: the client now sends as a page of
    this origin does (forms are judged by their origin), and the field it gives is the one
    such pages carried, which forms still accept and ignore."""
    client.environ_base.update(SAME_ORIGIN)
    return ""


def create(client, **fields):
    """The form sent as a browser sends it from calfeed's own page."""
    client.environ_base.update(SAME_ORIGIN)
    data = {"region": "jp", "show": list(TWO_SHOWS), **fields}
    return client.post("/calendars", data=data)


def made(client, **fields):
    answer = create(client, **fields)
    assert answer.status_code == 303, answer.text
    edit_path = answer.headers["Location"].split("?")[0]
    page = client.get(edit_path)
    feed_url = re.search(r'data-calendar-feed="(http://[^"]+/feeds/my/[^"]+\.ics)"',
                         page.text).group(1)
    return edit_path, feed_url.replace("http://localhost", "")


def events(client, feed_path):
    answer = client.get(feed_path)
    assert answer.status_code == 200, answer.text
    return {str(e["UID"]): e for e in Calendar.from_ical(answer.data).walk("VEVENT")}


def test_the_whole_flow_create_subscribe_edit_delete(calendar_client):
    edit_path, feed_path = made(calendar_client, release="metallic-rouge:fod")
    assert len(feed_path.split("/")[-1].removesuffix(".ics")) >= 22   # 128 random bits
    before = events(calendar_client, feed_path)
    assert {str(e["LOCATION"]) for uid, e in before.items() if uid.startswith("bgm425595-")} \
        == {"FOD"}
    assert any(uid.startswith("escapes-and-long") for uid in before)

    answer = calendar_client.post(edit_path, data={"region": "jp", "show": "metallic-rouge",
                                                   "alarm": "15"})
    assert answer.status_code == 303
    after = events(calendar_client, feed_path)
    assert set(after) == {uid for uid in before if uid.startswith("bgm425595-")}
    for uid, event in after.items():
        assert str(event["LOCATION"]) == "Fuji TV +Ultra"
        assert event["SEQUENCE"] > before[uid]["SEQUENCE"]
        assert event.walk("VALARM")

    answer = calendar_client.post(edit_path + "/delete", data={})
    assert answer.status_code == 200
    gone = calendar_client.get(feed_path)
    assert gone.status_code == 410 and b"deleted" in gone.data
    assert calendar_client.get(edit_path).status_code == 410


def sequences(client, feed_path) -> dict[str, int]:
    return {uid: int(e["SEQUENCE"]) for uid, e in events(client, feed_path).items()}


def save(client, edit_path, **fields):
    answer = client.post(edit_path, data={"region": "jp", "show": list(TWO_SHOWS), **fields})
    assert answer.status_code == 303, answer.text
    assert answer.headers["Location"].endswith("?saved=1")


def test_a_new_calendar_starts_at_the_show_feeds_sequence(calendar_client):
    """Moving from a show's feed to My calendar is no change: the same UIDs with the same
    SEQUENCE and LAST-MODIFIED, so clients do not see every event as edited."""
    _, feed_path = made(calendar_client, release="metallic-rouge:fod")
    public = events(calendar_client, "/feeds/jp/metallic-rouge.ics?release=fod")
    mine = events(calendar_client, feed_path)
    assert set(public) <= set(mine)
    for uid, event in public.items():
        assert mine[uid]["SEQUENCE"] == event["SEQUENCE"]
        assert mine[uid].decoded("LAST-MODIFIED") == event.decoded("LAST-MODIFIED")


def test_an_edit_raises_sequence_only_for_the_events_it_changed(calendar_client):
    edit_path, feed_path = made(calendar_client)
    first = sequences(calendar_client, feed_path)
    rouge = {uid for uid in first if uid.startswith("bgm425595-")}
    others = set(first) - rouge
    assert rouge and others

    save(calendar_client, edit_path)                                       # nothing changed
    assert sequences(calendar_client, feed_path) == first
    save(calendar_client, edit_path, platform="metallic-rouge:fod")       # one show's platform
    second = sequences(calendar_client, feed_path)
    assert {uid: second[uid] - first[uid] for uid in first} == \
        {**{uid: 1 for uid in rouge}, **{uid: 0 for uid in others}}
    # Choosing the platform that is already the earliest picks the same airings: no change.
    save(calendar_client, edit_path, platform="metallic-rouge:fod")
    assert sequences(calendar_client, feed_path) == second

    save(calendar_client, edit_path, show="escapes-and-long-japanese-titles")     # removed
    assert set(sequences(calendar_client, feed_path)) == others
    save(calendar_client, edit_path, platform="metallic-rouge:fod")               # back again
    third = sequences(calendar_client, feed_path)
    # Clients dropped its events: they come back above what they held.
    assert all(third[uid] > second[uid] for uid in rouge)
    assert all(third[uid] == first[uid] for uid in others)

    save(calendar_client, edit_path, platform="metallic-rouge:fod", alarm="15")  # every event
    assert all(value > third[uid] for uid, value in sequences(calendar_client, feed_path).items())


def test_a_calendar_saved_before_per_show_counts_keeps_its_sequences(calendar_client, stored_rows):
    """Calendars saved before had every SEQUENCE raised by their generation: none goes back."""
    edit_path, feed_path = made(calendar_client)
    # Changed before the feed is first asked for (a worker may trust what it read for a second).
    stored = json.loads(stored_rows("SELECT choices FROM calendar")[0][0])
    del stored["edits"]
    stored_rows("UPDATE calendar SET choices = ?, generation = 4", (json.dumps(stored),))
    public = {uid: n for show in TWO_SHOWS
              for uid, n in sequences(calendar_client, f"/feeds/jp/{show}.ics").items()}
    assert sequences(calendar_client, feed_path) == {uid: n + 4 for uid, n in public.items()}
    save(calendar_client, edit_path)
    assert sequences(calendar_client, feed_path) == {uid: n + 4 for uid, n in public.items()}
    save(calendar_client, edit_path, platform="metallic-rouge:fod")
    assert sequences(calendar_client, feed_path) == {
        uid: n + (5 if uid.startswith("bgm425595-") else 4) for uid, n in public.items()}


def test_an_edit_sets_last_modified_to_its_time(calendar_client):
    """CLIENTS.md: on every change, raise SEQUENCE and set LAST-MODIFIED to the change time
    (found as a new user: LAST-MODIFIED and DTSTAMP stayed at the data's load time)."""
    from datetime import datetime, timezone
    edit_path, feed_path = made(calendar_client)
    before = events(calendar_client, feed_path)
    asked = datetime.now(timezone.utc).replace(microsecond=0)
    calendar_client.post(edit_path, data={"region": "jp", "show": list(TWO_SHOWS), "alarm": "30",
                                          })
    after = events(calendar_client, feed_path)
    for uid, event in after.items():
        assert event.decoded("LAST-MODIFIED") >= asked >= before[uid].decoded("LAST-MODIFIED")
        assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED")
    answer = calendar_client.get(feed_path)
    assert answer.last_modified >= asked


def test_a_database_from_before_edit_times_were_kept_still_serves(tmp_path):
    from calfeed.calendars.store import CalendarStore
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE calendar (feed_id TEXT PRIMARY KEY, edit_hash TEXT NOT NULL "
                   "UNIQUE, generation INTEGER NOT NULL, choices TEXT, deleted INTEGER NOT "
                   "NULL DEFAULT 0)")
        db.execute("INSERT INTO calendar VALUES ('f', 'h', 4, '{\"shows\": {}}', 0)")
    stored = CalendarStore(str(path)).feed("f")
    assert (stored.generation, stored.choices, stored.edited) == (4, {"shows": {}}, None)


def test_unknown_feed_and_edit_ids_are_404(calendar_client):
    assert calendar_client.get("/feeds/my/nosuchcalendar.ics").status_code == 404
    assert calendar_client.get("/calendars/nosuchkey").status_code == 404


def test_only_a_hash_of_the_edit_key_is_stored(calendar_client, stored_rows):
    edit_path, _ = made(calendar_client)
    key = edit_path.split("/")[-1]
    stored = stored_rows("SELECT * FROM calendar")
    assert len(stored) == 1 and key not in repr(stored)


@pytest.mark.parametrize("headers", [
    {}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
    {"Origin": "http://evil.example"}, {"Origin": "http://localhost:8081"}, {"Origin": "null"},
    # Fetch metadata wins over Origin: a cross-site request is refused whatever Origin says.
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}])
def test_forms_from_another_site_or_port_are_refused(make_app, two_shows, tmp_path, headers):
    client = make_app(two_shows, CALENDARS_PATH=str(tmp_path / "c.sqlite3")).test_client()
    for path in ("/calendars", "/calendars/import", "/calendars/mine/shows"):
        answer = client.post(path, data={"region": "jp", "show": "metallic-rouge"},
                             headers=headers)
        assert answer.status_code == 403, (path, answer.text)
        assert "from another site" in answer.text


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin"},
                                     {"Origin": "http://localhost"}])
def test_forms_from_this_site_need_no_token(make_app, two_shows, tmp_path, headers):
    client = make_app(two_shows, CALENDARS_PATH=str(tmp_path / "c.sqlite3")).test_client()
    answer = client.post("/calendars", data={"region": "jp", "show": "metallic-rouge"},
                         headers=headers)
    assert answer.status_code == 303, answer.text


@pytest.mark.parametrize("fields, message", [
    ({"show": "no-such-show"}, "unknown show 'no-such-show'"),
    ({"show": []}, "choose at least one show"),
    ({"release": "metallic-rouge:crunchyroll"}, "cannot be watched in Japan"),
    ({"release": "netflix"}, "release 'netflix' is not a release of these shows: releases "
                             "here are"),
    ({"region": "zz"}, "zz"),
    ({"lang": "fr"}, "lang 'fr'"),
    ({"colour": "red"}, "unknown field 'colour'"),
])
def test_bad_forms_are_refused_with_what_to_do(calendar_client, fields, message):
    answer = create(calendar_client, **fields)
    assert answer.status_code in (400, 404), answer.text
    assert message in html.unescape(answer.text)


def test_a_bare_release_applies_to_the_shows_that_have_it(calendar_client):
    _, feed_path = made(calendar_client, release="fod")
    rouge = [e for uid, e in events(calendar_client, feed_path).items()
             if uid.startswith("bgm425595-")]
    assert {str(e["LOCATION"]) for e in rouge} == {"FOD"}


def test_limits_each_say_what_to_do(make_app, two_shows, tmp_path):
    app = make_app(two_shows, CALENDARS_PATH=str(tmp_path / "c.sqlite3"), CALENDAR_MAX_SHOWS=1,
                   CALENDAR_CREATIONS_PER_HOUR=2, CALENDAR_FORM_MAX_BYTES=2000)
    client = browser_client(app)
    answer = create(client)     # refused by the form's reading, before any show is looked up
    assert answer.status_code == 400 and "at most 1 shows" in html.unescape(answer.text)
    for _ in range(2):
        assert create(client, show="metallic-rouge").status_code == 303
    answer = create(client, show="metallic-rouge")
    assert answer.status_code == 429 and "in the last hour" in answer.text
    answer = create(client, show="metallic-rouge", lang="x" * 3000)
    assert answer.status_code == 413


def test_total_stored_size_is_limited_on_disk(make_app, two_shows, tmp_path, database_url,
                                              stored_rows):
    """The limit is the file's bytes on disk (pages in use and the write-ahead log), not the
    choices' length (9.1 MB counted were 48 MB on disk); in PostgreSQL, the tables' size."""
    path = tmp_path / "c.sqlite3"
    first = make_app(two_shows, CALENDARS_PATH=str(path))
    assert create(browser_client(first), show="metallic-rouge").status_code == 303
    used = state.service(first).calendars.disk_use()
    if database_url:
        assert used == stored_rows("SELECT pg_total_relation_size('calendar') + "
                                   "pg_total_relation_size('creation')")[0][0] > 0
    else:
        assert used >= path.stat().st_size - 4096 * 4      # the file, less its free pages
    client = browser_client(make_app(two_shows, CALENDARS_PATH=str(path),
                                     CALENDARS_MAX_BYTES=used + 50))
    answer = create(client)
    assert answer.status_code == 429 and "storage" in answer.text


def test_the_shows_of_a_calendar_for_the_pages(calendar_client):
    edit_path, feed_path = made(calendar_client)
    listed = calendar_client.get(edit_path + "/shows.json").get_json()
    assert listed["shows"] == sorted(TWO_SHOWS)
    assert listed["feed"].endswith(feed_path)


def test_the_new_form_is_prefilled_from_a_link(calendar_client):
    page = calendar_client.get("/calendars/new?region=jp&show=metallic-rouge").text
    assert re.search(r'value="metallic-rouge" checked', page)
    assert not re.search(r'value="escapes-and-long-japanese-titles" checked', page)


def test_a_list_file_prefills_the_form_and_names_what_it_cannot_match(calendar_client):
    # Schedule files cannot name `ids:` yet (the catalogue work adds them): give the loaded
    # show its MyAnimeList id in place, as the catalogue will.
    with calendar_client.application.app_context():
        rouge = state.current().catalogue.shows["metallic-rouge"]
        object.__setattr__(rouge, "ids", {**rouge.ids, "mal": "54744"})
    mal = (b"<myanimelist><anime><series_animedb_id>54744</series_animedb_id></anime>"
           b"<anime><series_animedb_id>1</series_animedb_id></anime></myanimelist>")
    answer = calendar_client.post("/calendars/import", data={
        "region": "jp", "list": (io.BytesIO(mal), "animelist.xml")},
        content_type="multipart/form-data")
    assert answer.status_code == 200, answer.text
    assert re.search(r'value="metallic-rouge" checked', answer.text)
    assert not re.search(r'value="escapes-and-long-japanese-titles" checked', answer.text)
    assert "MyAnimeList 1" in answer.text
    assert "the file is not kept" in answer.text


def test_an_import_needs_a_file(calendar_client):
    answer = calendar_client.post("/calendars/import", data={})
    assert answer.status_code == 400 and "MyAnimeList export" in answer.text


def test_a_personal_feed_is_kept_by_the_response_cache_until_a_save(calendar_client, monkeypatch):
    """Repeated requests are answered without Flask, keyed on the calendar's generation, which
    every save raises: the next request after an edit or a delete is never an old copy."""
    from calfeed.web import calendars
    edit_path, feed_path = made(calendar_client)
    made_feeds = []
    real = calendars.chosen_feed
    monkeypatch.setattr(calendars, "chosen_feed",
                        lambda *args, **kwargs: made_feeds.append(1) or real(*args, **kwargs))
    first, again = calendar_client.get(feed_path), calendar_client.get(feed_path)
    assert first.data == again.data and len(made_feeds) == 1
    assert calendar_client.get(feed_path, headers={"If-None-Match": first.headers["ETag"]}) \
        .status_code == 304
    assert len(made_feeds) == 1

    calendar_client.post(edit_path, data={"region": "jp", "show": list(TWO_SHOWS), "alarm": "15",
                                          })
    edited = calendar_client.get(feed_path)
    assert len(made_feeds) == 2 and b"BEGIN:VALARM" in edited.data
    assert calendar_client.get(feed_path).data == edited.data and len(made_feeds) == 2

    calendar_client.post(edit_path + "/delete", data={})
    assert [calendar_client.get(feed_path).status_code for _ in range(2)] == [410, 410]


def test_a_japanese_calendar_names_itself_in_japanese(calendar_client):
    _edit, feed_path = made(calendar_client, lang="ja")
    calendar = Calendar.from_ical(calendar_client.get(feed_path).data)
    assert str(calendar["X-WR-CALNAME"]) == "マイアニメ（日本、calfeed）"
    assert str(calendar["X-WR-CALDESC"]) == \
        "このカレンダーに選んだ2作品の各話を、日本で視聴できるようになる時刻に。"
    _edit, english_path = made(calendar_client, show="metallic-rouge")
    english = calendar_client.get(english_path).data
    assert b"\r\nX-WR-CALNAME:My anime (Japan\\, calfeed)\r\n" in english
    assert str(Calendar.from_ical(english)["DESCRIPTION"]) == (
        "The 1 show chosen for this calendar, at the moment each episode can be watched in Japan.")


def test_a_stored_calendar_survives_renamed_shows_and_vanished_platforms(calendar_client,
                                                                         stored_rows):
    """A subscription never fails for what the data did after it was saved: a stored id that is
    now an old id (here the stable key) is followed, a platform the show no longer has falls
    back to the earliest release, a show gone from the data leaves."""
    edit_path, feed_path = made(calendar_client, release="metallic-rouge:fod")
    stored = json.loads(stored_rows("SELECT choices FROM calendar")[0][0])
    stored["shows"] = {"bgm425595": ["no-longer-here"], "long-gone-show": None}
    stored_rows("UPDATE calendar SET choices = ?", (json.dumps(stored),))
    served = events(calendar_client, feed_path)
    assert set(served) == {f"bgm425595-{n}-jp@calfeed" for n in range(1, 14)}
    assert {str(e["LOCATION"]) for e in served.values()} == {"Fuji TV +Ultra"}


def test_the_form_lists_the_calendar_then_what_airs_and_finds_the_rest(make_app, tmp_path):
    """Found as a new user: the form listed a region's 924 shows oldest first (Mobile Suit
    Gundam, Robotech…), 61,000 px on a phone, the chosen ones scattered among them, and its
    platform menus showed ids ('crunchyroll'). It lists the calendar, then what is on air; the
    rest is found with the filter (without script, a GET that keeps what is ticked)."""
    from tests.test_catalogue_serving import dataset
    client = make_app(IMPORT=1, IMPORT_PATH=str(dataset(tmp_path / "bangumi-data")),
                      CALENDARS_PATH=str(tmp_path / "c.sqlite3")).test_client()
    page = client.get("/calendars/new?region=jp&show=old-show").text
    order = re.findall(r'<input type="checkbox" id="show-([^"]+)"', page)
    assert order[0] == "old-show"                                   # in this calendar
    assert set(order[1:]) == {"metallic-rouge", "current-show", "nagai-anime"}  # on air
    assert page.index("In this calendar") < page.index("On air now or next")
    # Only a ticked show has a platform menu (only it is sent); the others name their
    # platforms, by name, with their ids for the script that makes the menu on a tick.
    assert re.findall(r'<select name="platform"', page) == []      # Old Show has one platform
    assert re.search(r'<span class="platform" data-releases="[^"]*fuji-tv-ultra[^"]*">'
                     r'[^<]*Fuji TV \+Ultra', page)

    from datetime import datetime, timezone

    from tests.conftest import fixed_clock
    later = make_app(IMPORT=1, IMPORT_PATH=str(dataset(tmp_path / "again")),
                     CALENDARS_PATH=str(tmp_path / "d.sqlite3"),
                     CLOCK=fixed_clock(datetime(2024, 6, 1, tzinfo=timezone.utc))).test_client()
    page = later.get("/calendars/new?region=jp").text
    aired = re.findall(r'<input type="checkbox" id="show-([^"]+)"', page)
    assert "nagai-anime" in aired and "old-show" not in aired
    assert f"{4 - len(aired)} other shows watchable in Japan: find them with the box" in page
    filtered = later.get("/calendars/new?region=jp&q=metallic&show=metallic-rouge"
                         "&platform=metallic-rouge:fod").text
    assert re.findall(r'<select name="platform" aria-label="Where to watch ([^"]+)"', filtered) \
        == ["Metallic Rouge"]
    assert 'value="metallic-rouge:fod" selected' in filtered
    filtered = later.get("/calendars/new?region=jp&q=metallic&show=nagai-anime"
                         "&platform=nagai-anime:earliest").text
    assert re.findall(r'<input type="checkbox" id="show-([^"]+)"[^>]*?( checked)?>', filtered) \
        == [("nagai-anime", " checked"), ("metallic-rouge", "")]
    assert "Matching “metallic”" in filtered


def test_a_save_from_an_outdated_edit_page_is_refused_and_keeps_what_was_chosen(calendar_client):
    """Two tabs open on one calendar: the second save silently replaced the first."""
    edit_path, feed_path = made(calendar_client)
    page = calendar_client.get(edit_path).text
    loaded = re.search(r'name="generation" value="(\d+)"', page).group(1)
    first = {"region": "jp", "show": "metallic-rouge", "generation": loaded}
    assert calendar_client.post(edit_path, data=first).status_code == 303
    second = {"region": "jp", "show": "escapes-and-long-japanese-titles", "alarm": "30",
              "platform": "escapes-and-long-japanese-titles:earliest", "generation": loaded}
    answer = calendar_client.post(edit_path, data=second)
    assert answer.status_code == 409
    assert "changed elsewhere" in answer.text and "reload the page" in answer.text
    # What this tab chose is in the form as sent, not saved.
    assert re.search(r'value="escapes-and-long-japanese-titles" checked', answer.text)
    assert not re.search(r'value="metallic-rouge" checked', answer.text)
    assert re.search(r'<option value="30" selected', answer.text), "the reminder is kept"
    assert {uid.split("-")[0] for uid in events(calendar_client, feed_path)} == {"bgm425595"}
    # Sent again from that page, knowingly: it is saved over the other edit.
    again = re.search(r'name="generation" value="(\d+)"', answer.text).group(1)
    assert int(again) == int(loaded) + 1
    assert calendar_client.post(edit_path, data={**second, "generation": again}).status_code == 303
    assert all(uid.startswith("escapes") for uid in events(calendar_client, feed_path))

""""+ My calendar" without script: a small POST adds a show to this browser's calendar (its
edit key in an HttpOnly cookie, never in a URL), or picks it until a calendar exists."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from tests.conftest import browser_client

ROUGE = "metallic-rouge"
OTHER = "escapes-and-long-japanese-titles"


def add(client, show, **fields):
    return client.post("/calendars/mine/shows", data={"show": show, "region": "jp", **fields})


def remove(client, show):
    return client.post("/calendars/mine/shows/remove", data={"show": show, "region": "jp"})


def make_calendar(client, shows):
    answer = client.post("/calendars", data={"region": "jp", "show": shows})
    assert answer.status_code == 303, answer.text
    return answer.headers["Location"].split("?")[0]


def feed_of(client, edit_path):
    page = client.get(edit_path).text
    path = re.search(r'data-calendar-feed="http://localhost([^"]+)"', page).group(1)
    return {str(e["UID"]): e for e in Calendar.from_ical(client.get(path).data).walk("VEVENT")}, path


def test_picks_before_a_calendar_accumulate_and_open_the_form_ticked(calendar_client):
    answer = add(calendar_client, ROUGE, release="fod")
    assert answer.status_code == 303
    assert answer.headers["Location"] == \
        f"/calendars/mine?show={ROUGE}&done=picked&region=jp"
    assert add(calendar_client, OTHER).status_code == 303
    page = calendar_client.get(answer.headers["Location"]).text
    assert "Picked Metallic Rouge for your calendar." in page
    new = re.search(r'href="(/calendars/new\?[^"]+)"', page).group(1).replace("&amp;", "&")
    form = calendar_client.get(new).text
    ticked = re.findall(r'id="show-([^"]+)" name="show" value="[^"]+" checked', form)
    assert ticked == [ROUGE, OTHER]
    assert re.search(r'value="metallic-rouge:fod" selected', form)
    # Making the calendar forgets the picks; the browser now holds the calendar.
    answer = calendar_client.post("/calendars", data={"region": "jp", "show": ticked,
                                                      "platform": "metallic-rouge:fod"})
    cookies = answer.headers.getlist("Set-Cookie")
    assert any(c.startswith("calfeed_picks=;") for c in cookies)
    kept = next(c for c in cookies if c.startswith("calfeed_calendar="))
    assert "HttpOnly" in kept and "SameSite=Strict" in kept and "Path=/calendars" in kept


def test_once_a_calendar_is_opened_the_button_adds_to_it_in_one_step(calendar_client):
    edit_path = make_calendar(calendar_client, [OTHER])
    before, feed_path = feed_of(calendar_client, edit_path)
    answer = add(calendar_client, ROUGE, release="fod")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/calendars/mine?show={ROUGE}&done=added&region=jp"
    assert answer.headers["Cache-Control"] == "no-store"
    after, same_path = feed_of(calendar_client, edit_path)
    assert same_path == feed_path                         # the address does not change
    rouge = {uid for uid in after if uid.startswith("bgm425595-")}
    assert rouge and {str(after[uid]["LOCATION"]) for uid in rouge} == {"FOD"}
    # Only the added show's events are new; the others did not change at all.
    assert {uid: after[uid]["SEQUENCE"] for uid in before} == \
        {uid: e["SEQUENCE"] for uid, e in before.items()}
    page = calendar_client.get(answer.headers["Location"]).text
    assert "Added Metallic Rouge to My calendar." in page
    assert 'action="/calendars/mine/shows/remove"' in page        # the undo
    edit_key = edit_path.rsplit("/", 1)[1]
    assert edit_key not in answer.headers["Location"] and edit_key not in page.replace(
        f'href="{edit_path}"', "")

    assert remove(calendar_client, ROUGE).status_code == 303              # undo
    assert set(feed_of(calendar_client, edit_path)[0]) == set(before)


def test_the_script_gets_json_with_the_calendar_and_the_undo(calendar_client):
    make_calendar(calendar_client, [OTHER])
    answer = calendar_client.post("/calendars/mine/shows", data={"show": ROUGE, "region": "jp"},
                                  headers={"Accept": "application/json"})
    assert answer.get_json() == {"done": "added", "show": ROUGE, "title": "Metallic Rouge",
                                 "calendar": True, "shows": [OTHER, ROUGE], "picks": [],
                                 "undo": {"action": "remove", "release": None}}
    answer = calendar_client.post("/calendars/mine/shows/remove",
                                  data={"show": ROUGE, "region": "jp"},
                                  headers={"Accept": "application/json"})
    assert answer.get_json()["shows"] == [OTHER]
    assert answer.get_json()["undo"] == {"action": "add", "release": None}


def test_a_show_not_watchable_in_the_calendars_region_is_refused_by_name(make_app, two_shows,
                                                                          tmp_path):
    # A copy of the other show watchable in Japan only.
    text = (two_shows / f"{OTHER}.yaml").read_text(encoding="utf-8")
    (two_shows / "japan-only.yaml").write_text(
        text.replace("{include: [world], exclude: [asia]}", "[JP]"), encoding="utf-8")
    client = browser_client(make_app(two_shows, CALENDARS_PATH=str(tmp_path / "c.sqlite3")))
    answer = client.post("/calendars", data={"region": "us", "show": ROUGE})
    assert answer.status_code == 303
    answer = add(client, "japan-only")          # the calendar is for the United States
    assert answer.status_code == 400
    assert "cannot be watched in United States, the region of your calendar" in answer.text
    unknown = add(client, "no-such-show")      # a form names it: 400, as the form's other fields
    assert unknown.status_code == 400 and "unknown show" in unknown.text


def test_after_a_delete_the_button_picks_again(calendar_client):
    edit_path = make_calendar(calendar_client, [OTHER])
    calendar_client.post(edit_path + "/delete")
    answer = add(calendar_client, ROUGE)
    assert "done=picked" in answer.headers["Location"]


@pytest.mark.parametrize(("path", "logged"), [
    ("/calendars/mine", "/calendars/mine"),
    ("/calendars/mine/shows", "/calendars/mine/shows"),
    ("/calendars/shows.json?region=jp", "/calendars/shows.json?region=jp"),
    ("/calendars/new?region=jp", "/calendars/new?region=jp"),
    ("/calendars/" + "k" * 43 + "/delete", "/calendars/EDIT-KEY/delete"),
    ("/calendars/" + "k" * 43, "/calendars/EDIT-KEY"),
])
def test_the_buttons_addresses_are_logged_as_they_are_and_edit_keys_are_not(path, logged):
    from calfeed.web.log_filters import hide_edit_key
    assert hide_edit_key(path) == logged

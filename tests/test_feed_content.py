"""What feeds contain: which airings, the event properties, and every query parameter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from calfeed.query.feed import FEED

UTC = timezone.utc


def events(response):
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.data).walk("VEVENT")


def starts(response):
    return [e.decoded("DTSTART").astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
            for e in events(response)]


def test_us_feed_has_the_13_crunchyroll_episodes(client):
    found = events(client.get("/feeds/us/metallic-rouge.ics"))
    assert len(found) == 13
    assert {str(e["LOCATION"]) for e in found} == {"Crunchyroll"}
    assert found[0].decoded("DTSTART") == datetime(2024, 1, 10, 18, 25, tzinfo=UTC)
    assert found[0].decoded("DTEND") == datetime(2024, 1, 10, 18, 55, tzinfo=UTC)


def test_japan_gets_the_broadcast_the_earliest_release(client):
    found = events(client.get("/feeds/jp/metallic-rouge.ics"))
    assert {str(e["LOCATION"]) for e in found} == {"Fuji TV +Ultra"}
    assert found[0].decoded("DTSTART") == datetime(2024, 1, 10, 15, 55, tzinfo=UTC)
    assert str(found[0]["DESCRIPTION"]).splitlines()[2] == \
        "Also in this region: d Anime Store (streaming), FOD (streaming)."


def test_event_properties(client):
    event = events(client.get("/feeds/us/metallic-rouge.ics"))[2]
    assert str(event["SUMMARY"]) == "Metallic Rouge #3: Marginal City"
    assert str(event["UID"]) == "bgm425595-3-us@calfeed"
    assert str(event["DESCRIPTION"]) == ("Metallic Rouge, episode 3: Marginal City\n"
                                         "On Crunchyroll (streaming).\nStudio: Bones.\n"
                                         "Time from calfeed's own schedule metallic-rouge.yaml,"
                                         " checked against its sources.")
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") == \
        datetime(2024, 1, 1, tzinfo=UTC)
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_calendar_properties(client):
    calendar = Calendar.from_ical(client.get("/feeds/us/metallic-rouge.ics?lang=en").data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]).startswith("-//calfeed//")
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == \
        "Metallic Rouge (United States)"
    # icalendar's parser leaves X- properties escaped; compare the escaped forms.
    assert calendar["DESCRIPTION"].to_ical() == calendar["X-WR-CALDESC"].to_ical() != b""
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT3H\r\n" in calendar.to_ical().decode()
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT3H"
    assert str(calendar["SOURCE"]) == str(calendar["URL"]) == \
        "http://localhost/feeds/us/metallic-rouge.ics?lang=en"


def test_uids_do_not_depend_on_parameters_or_position(client):
    plain = {str(e["UID"]) for e in events(client.get("/feeds/us/metallic-rouge.ics"))}
    for query in ("?lang=ja", "?alarm=15", "?all_day=1&tz=Asia/Tokyo", "?past_days=0"):
        varied = {str(e["UID"]) for e in events(client.get("/feeds/us/metallic-rouge.ics" + query))}
        assert varied <= plain
    # The region feed carries the same events, those in its window around now (2024-01-01:
    # up to 2024-03-02, episodes 1 to 8).
    in_window = {str(e["UID"]) for e in events(client.get("/feeds/us/metallic-rouge.ics"))
                 if e.decoded("DTSTART") < datetime(2024, 3, 2, tzinfo=UTC)}
    region = {str(e["UID"]) for e in events(client.get("/feeds/us.ics"))}
    assert region == in_window and len(region) == 8


def test_lang_picks_titles_and_falls_back_to_english(make_app, tmp_path):
    client = make_app().test_client()
    found = events(client.get("/feeds/jp/metallic-rouge.ics?lang=ja"))
    assert str(found[2]["SUMMARY"]) == "メタリックルージュ #3: 境界の街"
    calendar = Calendar.from_ical(client.get("/feeds/jp/metallic-rouge.ics?lang=ja").data)
    assert str(calendar["X-WR-CALNAME"]) == "メタリックルージュ（日本）"


def test_alarms_one_valarm_each(client):
    found = events(client.get("/feeds/us/metallic-rouge.ics?alarm=0,15,10080"))
    alarms = found[0].walk("VALARM")
    assert [str(a["ACTION"]) for a in alarms] == ["DISPLAY"] * 3
    assert [a.decoded("TRIGGER") for a in alarms] == [timedelta(0), timedelta(minutes=-15),
                                                      timedelta(days=-7)]


def test_release_restricts_and_releases_all_expands(client):
    assert {str(e["LOCATION"]) for e in events(
        client.get("/feeds/jp/metallic-rouge.ics?release=fod"))} == {"FOD"}
    both = events(client.get("/feeds/jp/metallic-rouge.ics?release=fod,d-anime-store"))
    assert len(both) == 13   # still one per episode: the earliest of the two (a tie: d Anime Store)
    every = events(client.get("/feeds/jp/metallic-rouge.ics?releases=all"))
    assert len(every) == 39 and len({str(e["UID"]) for e in every}) == 39
    pair = events(client.get("/feeds/jp/metallic-rouge.ics?release=fod,d-anime-store"
                             "&releases=all"))
    assert {str(e["LOCATION"]) for e in pair} == {"FOD", "d Anime Store"} and len(pair) == 26


def test_all_day_events_fall_on_the_date_in_the_viewers_zone(client):
    tokyo = events(client.get("/feeds/us/metallic-rouge.ics?all_day=1&tz=Asia/Tokyo"))
    assert tokyo[0].decoded("DTSTART").isoformat() == "2024-01-11"
    assert tokyo[0].decoded("DTEND").isoformat() == "2024-01-12"
    la = events(client.get("/feeds/us/metallic-rouge.ics?all_day=1&tz=America/Los_Angeles"))
    assert la[0].decoded("DTSTART").isoformat() == "2024-01-10"
    default = events(client.get("/feeds/us/metallic-rouge.ics?all_day=1"))  # America/New_York
    assert default[0].decoded("DTSTART").isoformat() == "2024-01-10"


def test_past_days_drops_airings_that_ended_longer_ago(make_app):
    from tests.conftest import fixed_clock
    client = make_app(CLOCK=fixed_clock(datetime(2024, 3, 1, tzinfo=UTC))).test_client()
    assert len(events(client.get("/feeds/us/metallic-rouge.ics"))) == 13
    kept = starts(client.get("/feeds/us/metallic-rouge.ics?past_days=7"))
    # Episode 7 ended 2024-02-21 18:55, more than 7 days before March 1; episode 8 did not.
    assert kept[0] == "2024-02-28T18:25Z" and len(kept) == 6
    assert len(events(client.get("/feeds/us/metallic-rouge.ics?past_days=0"))) == 5


def test_size_budget_drops_the_oldest_ended_airings_first(make_app):
    from tests.conftest import fixed_clock
    client = make_app(CLOCK=fixed_clock(datetime(2024, 3, 1, tzinfo=UTC)),
                      FEED_MAX_BYTES=6000).test_client()
    response = client.get("/feeds/jp/metallic-rouge.ics")
    assert len(response.data) <= 6000
    kept = starts(response)
    assert kept[-1] == "2024-04-03T15:55Z" and kept[0] > "2024-01-10"
    calendar = Calendar.from_ical(response.data)
    assert f"{13 - len(kept)} airings, the oldest past ones first, are left out" in \
        str(calendar["DESCRIPTION"])


@pytest.mark.parametrize(("query", "message"), [
    ("lang=fr", "lang 'fr' is not a language of these titles: use one of en, ja"),
    ("alarm=abc", "alarm 'abc' is not valid: use a whole number from 0 to 10080"),
    ("alarm=10081", "alarm '10081' is not valid: use a whole number from 0 to 10080"),
    ("alarm=15,15", "alarm lists the same reminder twice: give each once"),
    ("alarm=1,2,3,4,5,6", "alarm lists 6 reminders: at most 5"),
    ("alarm=15,", "alarm '' is not valid: use a whole number from 0 to 10080"),
    ("release=hulu", "release 'hulu' is not a release of Metallic Rouge: releases here are "
                     "crunchyroll"),
    ("release=fod", "release 'fod' cannot be watched in United States: releases here are "
                    "crunchyroll"),
    ("release=crunchyroll,,fod", "release has an empty item: give release ids separated by "
                                 "commas, like crunchyroll,fod"),
    ("releases=some", "releases 'some' is not valid: the only value is 'all' (one event per "
                      "release)"),
    ("tz=Asia/Tokyo", "tz only applies to all-day events: add all_day=1, or leave tz out "
                      "(event times are exact instants, shown in your calendar's own zone)"),
    ("all_day=1&tz=Asia/Tokio", "unknown time zone 'Asia/Tokio', did you mean 'Asia/Tokyo'?"),
    ("all_day=yes", "all_day 'yes' is not valid: use 1 or 0"),
    ("past_days=-1", "past_days '-1' is not valid: use a whole number from 0 to 36500"),
    ("past_days=1e3", "past_days '1e3' is not valid: use a whole number from 0 to 36500"),
    ("lang=en&lang=ja", "parameter 'lang' is given 2 times: give it once (lists are "
                        "comma-separated)"),
    ("lang=", "parameter 'lang' is empty: give a value or leave it out"),
    ("alarms=15", "unknown parameter 'alarms', did you mean 'alarm'? This URL takes "
                  + ", ".join(FEED.names)),
    ("utm_source=x", "unknown parameter 'utm_source': this URL takes "
                     + ", ".join(FEED.names)),
])
def test_invalid_parameters_are_400_naming_the_parameter(client, query, message):
    response = client.get(f"/feeds/us/metallic-rouge.ics?{query}")
    assert (response.status_code, response.text) == (400, message + "\n")


def test_region_feed_lang_accepts_languages_of_its_shows(client):
    assert client.get("/feeds/jp.ics?lang=ja").status_code == 200
    assert client.get("/feeds/kr.ics?lang=en").status_code == 200
    assert client.get("/feeds/kr.ics?lang=ja").status_code == 400


def test_empty_region_is_a_valid_calendar_with_no_events(client):
    response = client.get("/feeds/kr.ics")
    calendar = Calendar.from_ical(response.data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Anime in South Korea (calfeed)"

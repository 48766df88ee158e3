"""Imported times that are never confidently wrong: each mapping rule checked over the whole
pinned dataset (not a sample), and the cases a fan meets, through pages, feeds and the API."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from calfeed.schedule.expand import expand_show
from calfeed.schedule.model import DATED, LISTED, TIMED
from calfeed.source import bangumi
from calfeed.source.sites import site_table
from calfeed.source.slots import parse_instant, recurrence_start
from tests.conftest import fixed_clock

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = datetime(2026, 12, 7, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def mapped():
    """Every item of the pinned dataset with the show it maps to (skipped items left out)."""
    import json
    data = json.loads((bangumi.DATASET / "dist/data.json").read_text(encoding="utf-8"))
    items = data["items"]
    report = bangumi.ImportReport("0.3.208", as_of=bangumi.newest_start(items))
    pairs = []
    for item in items:
        try:
            show, _slot = bangumi.mapped_item(item, data["siteMeta"], "0.3.208", TODAY,
                                              site_table(), report)
        except bangumi.Skipped:
            continue
        pairs.append((item, show))
    return pairs, data["siteMeta"], report


def on_air_sites(item, site_meta):
    sites = site_table()
    return [entry for entry in item.get("sites", ())
            if site_meta.get(entry.get("site"), {}).get("type") == "onair"
            and entry.get("site") in sites]


def release_for(show, entry):
    return show.release(entry["site"].replace("_", "-"))


def test_no_site_day_without_its_time_becomes_an_instant(mapped):
    """A site start at exactly 00:00 UTC where the broadcast is at another time is a date: its
    release gives days, never the instant midnight UTC (the evening before in the Americas)."""
    pairs, site_meta, _report = mapped
    checked = 0
    for item, show in pairs:
        begin = parse_instant(item["begin"])
        for entry in on_air_sites(item, site_meta):
            start = parse_instant(entry.get("begin") or None)
            if start is None or start.time() != datetime.min.time() or begin.time() == start.time():
                continue
            assert release_for(show, entry).precision != TIMED, (item["title"], entry)
            checked += 1
    assert checked >= 150   # 158 in 0.3.208 (docs/catalogue.md)


def test_no_dated_stream_comes_from_an_earlier_seasons_site_page(mapped):
    """No streaming airing begins more than four months before the show's own first airing:
    such a site start is the series page of an earlier season, listed without dates."""
    pairs, _meta, _report = mapped
    for item, show in pairs:
        begin = parse_instant(item["begin"])
        for airing in expand_show(show):
            if airing.release.kind == "streaming":
                assert airing.start_utc >= begin - bangumi.EARLIER_SEASON, (item["title"], airing)


def test_long_runners_air_on_their_recurrences_slot_numbered_by_date(mapped):
    """Where the recurrence starts later than `begin` (the show moved slot), every broadcast
    airing but a premiere is on the recurrence's weekday and time in Tokyo; a show whose count
    cannot be supported (an open-ended long runner, a slot that moved after a cour) is known
    by its dates, never by a number."""
    pairs, _meta, report = mapped
    moved = 0
    for item, show in pairs:
        slot = recurrence_start(item.get("broadcast"))
        begin = parse_instant(item["begin"])
        if slot is None or slot <= begin or bangumi.period_days(item["broadcast"]) is None:
            continue
        moved += 1
        airings = [a for a in expand_show(show) if a.release.id == "jp-broadcast"]
        on_slot = [a for a in airings if a.start_utc != begin]
        local = slot.astimezone(TOKYO)
        for airing in on_slot:
            at = airing.start_utc.astimezone(TOKYO)
            assert (at.weekday(), at.time()) == (local.weekday(), local.time()), item["title"]
            assert airing.start_utc >= slot
    assert moved == len(report.moved_slots) >= 10
    by_date = [show for _item, show in pairs if show.episodes[0].aired is not None]
    assert len(by_date) == len(report.by_date) >= 15
    for show in by_date:
        assert all(e.aired is not None for e in show.episodes)


def test_every_site_listing_makes_the_show_watchable_where_the_site_is(mapped):
    pairs, site_meta, _report = mapped
    sites = site_table()
    for item, show in pairs:
        for entry in on_air_sites(item, site_meta):
            regions = ({r.upper() for r in entry["regions"]} if entry.get("regions")
                       else sites[entry["site"]].regions)
            assert regions <= show.regions, (item["title"], entry["site"])


def test_listed_releases_place_no_airing_and_dated_ones_only_days(mapped):
    pairs, _meta, _report = mapped
    for _item, show in pairs:
        listed = {r.id for r in show.releases if r.precision == LISTED}
        for airing in expand_show(show):
            assert airing.release.id not in listed
            if airing.release.precision == DATED:
                assert not airing.time_known and airing.start_utc.time() == datetime.min.time()


def test_a_dated_airings_bound_never_contradicts_its_day(mapped):
    """'Not before the Japanese broadcast' is said only where the broadcast's day is not after
    the airing's: a site dated before the broadcast streams first (Rooster Fighter on
    Crunchyroll three weeks before Japan), and gets no bound."""
    from calfeed.render.provenance import broadcast_bound
    pairs, _meta, _report = mapped
    bounded = unbounded = 0
    for _item, show in pairs:
        for airing in expand_show(show):
            if airing.time_known:
                continue
            bound = broadcast_bound(airing)
            if bound is None:
                unbounded += 1
            else:
                assert bound.date() <= airing.day, (show.id, airing.episode.number)
                bounded += 1
    assert bounded > 800 and unbounded > 100      # 921 and 171 in 0.3.208


def test_a_last_airing_off_the_slot_makes_the_broadcast_tentative_and_says_why(mapped):
    """ONE PIECE's slot began in 2005 (Sunday 19:00 JST); its last airing is Sunday 23:15: it
    moved at a time the dataset does not give, so the times are inferred, and say so."""
    pairs, _meta, report = mapped
    one_piece = next(show for item, show in pairs if item["title"] == "ONE PIECE")
    broadcast = one_piece.release("jp-broadcast")
    assert broadcast.provenance == "inferred" and bangumi.SLOT_CHANGED in broadcast.provenance_notes
    assert "ONE PIECE" in report.ends_off_slot and len(report.ends_off_slot) > 150


# The cases a fan meets, served by the app over the whole pinned dataset.

@pytest.fixture(scope="module")
def fan(make_module_app, tmp_path_factory):
    def client_at(at: datetime):
        app = make_module_app(IMPORT=1, CLOCK=fixed_clock(at),
                              CALENDARS_PATH=str(tmp_path_factory.mktemp("c") / "c.sqlite3"))
        return app.test_client()
    return client_at


@pytest.fixture(scope="module")
def april(fan):
    return fan(datetime(2026, 4, 6, tzinfo=timezone.utc))


@pytest.fixture(scope="module")
def december(fan):
    return fan(TODAY)


def test_a_day_without_its_time_is_a_date_on_the_page_in_the_feed_and_in_the_api(april):
    """Daemons of the Shadow Realm on Crunchyroll: the dataset gives Saturday 4 April, no time;
    not 'Friday 5:00 PM' in Los Angeles."""
    page = april.get("/shows/daemons-of-the-shadow-realm?region=us").text
    assert "Saturday, April 4, 2026 · time not announced" in page
    assert "Friday, April 3" not in page
    feed = april.get("/feeds/us/daemons-of-the-shadow-realm.ics").text
    assert "DTSTART;VALUE=DATE:20260404\r\nDTEND;VALUE=DATE:20260405" in feed
    assert "DTSTART:" not in feed and "STATUS:TENTATIVE" in feed
    assert "Not before the Japanese broadcast of this episode\\, 2026-04-04 14:30 UTC." in \
        feed.replace("\r\n ", "")
    with_alarm = april.get("/feeds/us/daemons-of-the-shadow-realm.ics?alarm=15").text
    assert "BEGIN:VALARM" not in with_alarm     # a reminder would name a time nobody gave
    api = april.get("/api/v1/schedule?region=us&show=daemons-of-the-shadow-realm"
                    "&from=2026-04-01T00:00:00Z&to=2026-04-20T00:00:00Z").json
    first = api["airings"][0]
    assert first["time_known"] is False and first["date"] == "2026-04-04"
    assert first["start"] is None and first["start_utc"] is None and first["end"] is None


def test_the_week_lists_a_dated_airing_on_its_day_without_a_time(april):
    page = april.get("/week?region=us&from=2026-04-06").text
    assert 'data-date="2026-04-06"' in page or 'data-date="2026-04-07"' in page
    # No imported airing is at 00:00 UTC (20:00 in New York) unless the data says so.
    assert page.count(">20:00 EDT<") <= 2


def test_a_sequel_has_no_airings_from_its_first_seasons_site_page(december):
    feed = december.get("/feeds/us/my-hero-academia-season-7.ics")
    assert feed.status_code == 200
    assert "DTSTART:2017" not in feed.text and "DTSTART;VALUE=DATE:2017" not in feed.text
    # Season 6 (its English title is Season 5's: told apart by year) began on Japanese TV in
    # October 2022; Netflix's start for it, March 2021, was an earlier season's page.
    fall = december.get("/seasons/2022-fall?region=jp").text
    assert 'data-show="my-hero-academia-2022"' in fall
    assert 'data-show="my-hero-academia-2022"' not in \
        december.get("/seasons/2021-winter?region=jp").text


def test_detective_conan_airs_saturdays_at_six_in_tokyo_without_an_invented_number(december):
    document = december.get("/api/v1/schedule?region=jp&show=case-closed"
                            "&from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z").json
    airings = document["airings"]
    assert len(airings) == 4
    for airing in airings:
        start = datetime.fromisoformat(airing["start_utc"].replace("Z", "+00:00"))
        local = start.astimezone(TOKYO)
        assert (local.strftime("%A"), local.strftime("%H:%M")) == ("Saturday", "18:00")
        assert airing["episode"] is None and airing["episode_date"] == local.date().isoformat()
    feed = december.get("/feeds/jp/case-closed.ics").text
    assert "#1614" not in feed and "SUMMARY:Case Closed\r\n" in feed
    page = december.get("/shows/case-closed?region=jp").text
    assert "weekly count across years of breaks" in page


def test_a_show_listed_on_crunchyroll_without_dates_is_watchable_in_the_us(december):
    feed = december.get("/feeds/us/i-want-to-end-this-love-game.ics")
    assert feed.status_code == 200 and "BEGIN:VEVENT" not in feed.text
    assert "Listed without dates on Crunchyroll" in feed.text.replace("\r\n ", "")
    assert "CC BY 4.0" in feed.text.replace("\r\n ", "")     # the dataset is credited
    page = december.get("/shows/i-want-to-end-this-love-game?region=us").text
    assert "Crunchyroll: on the platform, no dates in the data." in page
    found = december.get("/search?q=I+Want+to+End+this+Love+Game&region=us").text
    assert "Crunchyroll (no dates in the data)" in found
    for show in ("one-piece", "i-want-to-end-this-love-game"):
        assert december.get(f"/feeds/us/{show}.ics").status_code == 200, show


def test_metallic_rouge_is_exactly_as_curated(december):
    from tests.test_feed_golden import GOLDEN   # noqa: F401  (the golden files pin its bytes)
    document = december.get("/api/v1/shows/metallic-rouge").json
    assert all(a["time_known"] and a["provenance"]["kind"] == "curated"
               for a in document["airings"])

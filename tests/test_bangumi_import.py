"""bangumi-data items to shows: each mapping rule on a small item named after what it tests,
and one load of the whole pinned dataset."""

from datetime import datetime, timezone

import pytest

from calfeed.schedule.expand import expand_show
from calfeed.source.bangumi import (DATASET, NEW_OPEN_ENDED, OPEN_ENDED, ImportReport, Skipped,
                                     import_items, item_to_show, load_dataset)
from calfeed.source.names import show_ids
from calfeed.source.sites import read_sites, site_table
from calfeed.errors import CatalogueError

NOW = datetime(2024, 2, 1, tzinfo=timezone.utc)
META = {
    "bangumi": {"urlTemplate": "https://bangumi.tv/subject/{{id}}", "type": "info"},
    "mal": {"urlTemplate": "https://myanimelist.net/anime/{{id}}", "type": "info"},
    "crunchyroll": {"urlTemplate": "https://www.crunchyroll.com/series/{{id}}/", "type": "onair"},
    "danime": {"urlTemplate": "https://animestore.docomo.ne.jp/animestore/ci_pc?workId={{id}}",
               "type": "onair", "regions": ["JP"]},
    "bilibili": {"urlTemplate": "https://www.bilibili.com/bangumi/media/md{{id}}/",
                 "type": "onair", "regions": ["CN"]},
}


def item(**fields):
    base = {"title": "テスト", "titleTranslate": {"en": ["Test Show"]}, "type": "tv",
            "lang": "ja", "officialSite": "https://example.jp/", "begin": "2024-01-10T16:25:00.000Z",
            "broadcast": "R/2024-01-10T16:25:00.000Z/P7D", "end": "2024-01-31T16:25:00.000Z",
            "sites": [{"site": "bangumi", "id": "1"}]}
    base.update(fields)
    return base


def show_of(entry, report=None):
    return item_to_show(entry, META, "0.3.208", NOW, site_table(), report or ImportReport("0.3.208"))


def utc_starts(show, release_id):
    return [a.start_utc.strftime("%Y-%m-%d %H:%M") for a in expand_show(show)
            if a.release.id == release_id]


def test_weekly_item_numbers_episodes_from_begin_to_end():
    show = show_of(item())
    assert len(show.episodes) == 4
    assert utc_starts(show, "jp-broadcast") == ["2024-01-10 16:25", "2024-01-17 16:25",
                                                "2024-01-24 16:25", "2024-01-31 16:25"]
    broadcast = show.release("jp-broadcast")
    assert broadcast.regions == {"JP"} and str(broadcast.timezone) == "Asia/Tokyo"
    assert broadcast.provenance == "dataset" and "bangumi-data 0.3.208" in broadcast.provenance_notes


def test_daily_item():
    show = show_of(item(broadcast="R/2024-01-10T16:25:00.000Z/P1D", end="2024-01-12T16:25:00.000Z"))
    assert utc_starts(show, "jp-broadcast") == ["2024-01-10 16:25", "2024-01-11 16:25",
                                                "2024-01-12 16:25"]


def test_p0d_item_is_one_airing():
    show = show_of(item(broadcast="R/2024-01-10T16:25:00.000Z/P0D"))
    assert len(show.episodes) == 1 and utc_starts(show, "jp-broadcast") == ["2024-01-10 16:25"]


def test_item_without_broadcast_is_one_airing():
    assert len(show_of(item(broadcast="")).episodes) == 1


def test_monthly_item_is_skipped_with_its_reason():
    with pytest.raises(Skipped, match="P1M"):
        show_of(item(broadcast="R/2024-01-10T16:25:00.000Z/P1M"))


def test_item_without_begin_is_skipped():
    with pytest.raises(Skipped, match="no begin"):
        show_of(item(begin=""))


def test_movie_is_one_dated_event_of_its_kind():
    show = show_of(item(type="movie", broadcast="", end=""))
    assert show.kind == "movie" and len(show.episodes) == 1
    assert show.duration.total_seconds() == 120 * 60


def test_ova_with_a_cadence_is_still_one_event():
    show = show_of(item(type="ova"))
    assert show.kind == "ova" and len(show.episodes) == 1


def test_open_ended_item_runs_to_the_horizon_and_is_inferred():
    show = show_of(item(end=""))
    # 2024-01-10 .. NOW + 28 days (2024-02-29): eight weekly episodes.
    assert len(show.episodes) == 8
    broadcast = show.release("jp-broadcast")
    assert broadcast.provenance == "inferred"
    assert any("break weeks" in note for note in broadcast.provenance_notes)


def open_ended_after(begin: str, now: datetime, as_of: str = "2024-01-31T00:00:00.000Z"):
    """The episodes an import on `now` gives an item without an end that began on `begin`,
    in a dataset whose newest start is `as_of` (an item of its own), and the item's notes."""
    other = item(title="最新", titleTranslate={"en": ["Newest"]}, begin=as_of,
                 broadcast=f"R/{as_of}/P7D")
    shows, report = import_items([item(end="", begin=begin, broadcast=f"R/{begin}/P7D"), other],
                                 META, "0.3.208", now, site_table())
    show = shows["test-show"]
    return len(show.episodes), show.release("jp-broadcast").provenance_notes, report


@pytest.mark.parametrize(("begin", "now", "episodes"), [
    # A dataset four weeks old or less: the horizon moves with the clock, as before.
    ("2024-01-10T16:25:00.000Z", datetime(2024, 2, 1, tzinfo=timezone.utc), 8),
    ("2024-01-10T16:25:00.000Z", datetime(2024, 2, 20, tzinfo=timezone.utc), 10),
    # Older: a show under a year old stops at episode 13 ...
    ("2024-01-10T16:25:00.000Z", datetime(2024, 11, 30, tzinfo=timezone.utc), 13),
    # ... or where four weeks past the dataset's newest start took it, if further.
    ("2023-08-02T16:25:00.000Z", datetime(2024, 11, 30, tzinfo=timezone.utc), 30),
])
def test_a_new_show_without_an_end_stops_at_a_cour_once_the_dataset_is_old(begin, now,
                                                                           episodes):
    """Found as a new user: with a dataset of May, the front page in November showed spring
    shows at episode 36, every airing a guess."""
    count, notes, report = open_ended_after(begin, now)
    assert count == episodes
    assert NEW_OPEN_ENDED in notes and OPEN_ENDED not in notes
    assert report.as_of == datetime(2024, 1, 31, tzinfo=timezone.utc)
    assert "test-show" in report.open_ended


def test_a_long_runner_without_an_end_goes_on_with_the_clock():
    # Began over a year before the dataset's newest start: weekly to four weeks past now.
    count, notes, _ = open_ended_after("2019-01-06T00:00:00.000Z",
                                       datetime(2024, 11, 30, tzinfo=timezone.utc))
    assert count == (datetime(2024, 12, 28, tzinfo=timezone.utc) -
                     datetime(2019, 1, 6, tzinfo=timezone.utc)).days // 7 + 1
    assert OPEN_ENDED in notes and NEW_OPEN_ENDED not in notes


def test_end_off_cadence_is_reported():
    report = ImportReport("0.3.208")
    show_of(item(end="2024-01-30T16:25:00.000Z"), report)
    assert report.ends_off_cadence == ["テスト"]


def test_site_start_copied_from_the_broadcast_is_inferred_and_counted():
    report = ImportReport("0.3.208")
    show = show_of(item(sites=[{"site": "danime", "id": "9", "begin": "2024-01-10T16:25:00.000Z",
                                "broadcast": "R/2024-01-10T16:25:00.000Z/P7D"}]), report)
    assert show.release("danime").provenance == "inferred"
    assert report.copied_starts["danime"] == 1


def listed_only(show, release_id):
    """The release is there (the show is watchable on the site) and places no airing."""
    release = show.release(release_id)
    return release.precision == "listed" and not any(
        a.release.id == release_id for a in expand_show(show))


def test_a_series_a_site_added_long_after_it_began_is_listed_without_dates():
    """A weekly series since 1999 that a site added in 2023 (Netflix and ONE PIECE): the site
    does not stream it from episode 1 weekly (it ran to 2049), but it has the show: listed,
    watchable there, with no dated airing."""
    report = ImportReport("0.3.208")
    show = show_of(item(begin="1999-10-20T10:30:00.000Z", end="2025-12-28T10:30:00.000Z",
                        broadcast="R/1999-10-20T10:30:00.000Z/P7D",
                        sites=[{"site": "crunchyroll", "id": "GR", "begin": "2023-04-13T16:00:00.000Z"}]),
                   report)
    assert listed_only(show, "crunchyroll") and "crunchyroll" in show.links
    assert "US" in show.regions
    assert report.late_additions == {"crunchyroll": 1}


def test_a_site_that_starts_a_series_after_it_ended_is_listed_without_dates():
    report = ImportReport("0.3.208")
    show = show_of(item(sites=[{"site": "danime", "id": "9", "begin": "2024-06-29T00:00:00.000Z"}]),
                   report)
    assert listed_only(show, "danime") and "danime" in show.links
    assert report.late_additions == {"danime": 1}


def test_a_site_start_from_an_earlier_season_makes_no_dated_airing():
    """A sequel carrying its first season's site page and start (My Hero Academia Season 7 on
    Crunchyroll from 2017): the site's page of the series, listed without dates."""
    report = ImportReport("0.3.208")
    show = show_of(item(begin="2024-05-04T08:30:00.000Z", end="2024-10-12T08:30:00.000Z",
                        broadcast="R/2024-05-04T08:30:00.000Z/P7D",
                        sites=[{"site": "crunchyroll", "id": "G6", "begin": "2017-03-24T15:00:00.000Z",
                                "broadcast": "R/2017-03-24T15:00:00.000Z/P7D"}]), report)
    assert listed_only(show, "crunchyroll")
    assert min(a.start_utc for a in expand_show(show)).year == 2024
    assert report.earlier_season_starts == {"crunchyroll": 1}


@pytest.mark.parametrize("weeks_late, released", [(0, True), (8, True), (12, True), (13, False)])
def test_a_site_weeks_behind_the_broadcast_still_streams_from_episode_one(weeks_late, released):
    """Streams in China often start weeks late and then run weekly from episode 1: kept, up to
    a cour of the broadcast aired before the site's start."""
    from datetime import timedelta
    begin = datetime(2024, 1, 10, 16, 25, tzinfo=timezone.utc)
    start = (begin + timedelta(weeks=weeks_late, hours=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    show = show_of(item(end="2024-09-25T16:25:00.000Z",
                        sites=[{"site": "bilibili", "id": "5", "begin": start}]))
    assert show.release("bilibili").dated is released
    if released:
        assert utc_starts(show, "bilibili")[0] == start[:16].replace("T", " ")


def test_a_site_start_at_midnight_utc_is_a_day_without_its_time():
    """Crunchyroll's start written as 00:00 UTC where the broadcast is 14:30 UTC: the day is
    the dataset's, the time is not known, so the airing says so and is tentative."""
    from calfeed.source.bangumi import DAY_ONLY
    report = ImportReport("0.3.208")
    show = show_of(item(begin="2024-01-10T14:30:00.000Z", broadcast="R/2024-01-10T14:30:00.000Z/P7D",
                        sites=[{"site": "crunchyroll", "id": "G1", "begin": "2024-01-11T00:00:00.000Z"},
                               {"site": "danime", "id": "9", "begin": "2024-01-10T15:00:00.000Z"}]),
                   report)
    assert show.release("crunchyroll").provenance == "inferred"
    assert DAY_ONLY in show.release("crunchyroll").provenance_notes
    assert show.release("danime").provenance == "dataset"
    assert report.day_only_starts == {"crunchyroll": 1}


def test_crunchyroll_regions_come_from_calfeeds_site_table():
    show = show_of(item(sites=[{"site": "crunchyroll", "id": "G1", "begin": "2024-01-10T18:25:00.000Z",
                                "broadcast": "R/2024-01-10T18:25:00.000Z/P7D"}]))
    crunchyroll = show.release("crunchyroll")
    assert "US" in crunchyroll.regions and not {"JP", "CN"} & crunchyroll.regions
    # Its start differs from the broadcast's: the dataset's time, said as such, with no note
    # that it is "often the broadcast's" (untrue of this one).
    assert crunchyroll.provenance == "dataset" and crunchyroll.provenance_notes == ("bangumi-data 0.3.208",)
    assert show.links["crunchyroll"] == "https://www.crunchyroll.com/series/G1/"
    # The release links to the site's page of the show: an event's URL, the API's release url.
    assert crunchyroll.url == "https://www.crunchyroll.com/series/G1/"
    assert show.release("jp-broadcast").url is None


def test_an_items_own_site_regions_override_the_sites():
    show = show_of(item(sites=[{"site": "bilibili", "id": "5", "regions": ["CN", "HK"],
                                "begin": "2024-01-11T00:00:00.000Z"}]))
    assert show.release("bilibili").regions == {"CN", "HK"}


def test_a_site_listing_the_show_without_a_start_makes_it_watchable_there_without_dates():
    """Crunchyroll carries the show, the dataset gives no date: the show can be watched in the
    US (its feed answers, with no invented event), and the link stays."""
    report = ImportReport("0.3.208")
    show = show_of(item(sites=[{"site": "crunchyroll", "id": "G9", "begin": "", "broadcast": ""}]),
                   report)
    assert listed_only(show, "crunchyroll") and "crunchyroll" in show.links
    assert "US" in show.regions
    assert report.listed_without_dates == {"crunchyroll": 1}


def test_titles_and_ids():
    show = show_of(item(titleTranslate={"en": ["TEST SHOW", "Test Show"], "zh-Hans": ["测试"]},
                        sites=[{"site": "bangumi", "id": "425595"}, {"site": "mal", "id": "54794"}]))
    assert show.title == {"ja": "テスト", "en": "Test Show", "zh-Hans": "测试"}
    assert show.ids == {"bangumi": "425595", "mal": "54794"} and show.uid_key == "bgm425595"
    assert show.links["bangumi"] == "https://bangumi.tv/subject/425595"


def test_ids_are_english_slugs_else_romanised_and_told_apart():
    shows = [show_of(item(titleTranslate={"en": ["Metallic Rouge"]})),
             show_of(item(titleTranslate={}, title="ぼっち・ざ・ろっく！")),
             show_of(item(sites=[{"site": "bangumi", "id": "7"}])),
             show_of(item(begin="2025-01-01T00:00:00.000Z", broadcast="", end=""))]
    ids = show_ids(shows)
    assert ids[:2] == ["metallic-rouge", "botchi-za-rokku"], ids
    assert ids[2:] == ["test-show-2024", "test-show-2025"]   # same slug: told apart by year
    assert ids == show_ids(shows)   # deterministic


def test_same_slug_same_year_told_apart_by_subject_and_never_meeting_a_plain_id():
    shows = [show_of(item(sites=[{"site": "bangumi", "id": "1"}])),
             show_of(item(sites=[{"site": "bangumi", "id": "2"}])),
             show_of(item(titleTranslate={"en": ["Test Show 2024 bgm1"]}))]
    assert show_ids(shows) == ["test-show-2024-bgm1", "test-show-2024-bgm2",
                               "test-show-2024-bgm1-bgm1"]


def test_site_table_problems_name_file_and_line(tmp_path):
    bad = tmp_path / "sites.yaml"
    bad.write_text("ok: {name: A, regions: [JP], starts: trusted, timezone: Asia/Tokyo}\n"
                   "bad: {name: B, regions: [Atlantis], starts: maybe, timezone: Mars/Base}\n")
    with pytest.raises(CatalogueError) as caught:
        read_sites(bad)
    messages = [str(e) for e in caught.value.errors]
    assert all(f"{bad}:2:" in m for m in messages), messages
    assert any("Atlantis" in m for m in messages) and any("maybe" in m for m in messages)
    assert any("Mars/Base" in m for m in messages)


def test_a_site_table_that_is_not_a_mapping_names_where_it_begins(tmp_path):
    bad = tmp_path / "sites.yaml"
    bad.write_text("# sites\n- crunchyroll\n")
    with pytest.raises(CatalogueError, match=f"^{bad}:2:1: expected a mapping of site keys$"):
        read_sites(bad)
    bad.write_text("# nothing yet\n")
    with pytest.raises(CatalogueError, match=f"^{bad}: file is empty"):
        read_sites(bad)


def test_import_counts_skipped_reasons():
    shows, report = import_items([item(), item(begin=""), item(begin="")], META, "0.3.208",
                                 NOW, site_table())
    assert list(shows) == ["test-show"] and report.skipped == {"no begin date": 2}


def test_the_whole_pinned_dataset_maps_every_item_or_counts_why_not():
    shows, report = load_dataset(DATASET, NOW)
    total = sum(report.skipped.values()) + report.imported
    assert report.version == "0.3.208" and total == 8483 and report.imported > 8400
    metallic = shows["metallic-rouge"]
    assert metallic.ids["bangumi"] == "425595" and len(metallic.episodes) == 13
    assert utc_starts(metallic, "jp-broadcast")[0] == "2024-01-10 16:25"


def test_a_movie_release_kind_is_described_by_the_api_and_translated():
    """An imported film's Japanese release is of kind 'release': the OpenAPI schema admits it
    (it named only broadcast and streaming) and a Japanese event says 公開, not 'release'."""
    from calfeed.i18n import translations
    from calfeed.render.ics import release_kind
    from calfeed.web.openapi import SCHEMAS
    release = show_of(item(type="movie", broadcast="", end="")).releases[0]
    assert release.kind == "release"
    assert release_kind(release, translations("ja")) == "公開"
    kinds = [SCHEMAS["Release"]["properties"]["kind"]["enum"],
             SCHEMAS["Airing"]["properties"]["release_kind"]["enum"]]
    assert all(release.kind in enum for enum in kinds)

"""The first real show: the instants the issue verified, pinned through expansion."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from calfeed.publish.catalogue import load_catalogue
from calfeed.config import BUNDLED_SCHEDULES
from calfeed.schedule.expand import releases_in

UTC = timezone.utc


@pytest.fixture(scope="module")
def metallic_rouge():
    catalogue = load_catalogue(BUNDLED_SCHEDULES)
    show = catalogue.shows["metallic-rouge"]
    by_release: dict[str, dict[int, object]] = {}
    for airing in catalogue.airings["metallic-rouge"]:
        by_release.setdefault(airing.release.id, {})[airing.episode.number] = airing
    return show, by_release


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_every_release_has_thirteen_episodes(metallic_rouge):
    show, by_release = metallic_rouge
    assert {r.id for r in show.releases} == {"fuji-tv-ultra", "d-anime-store", "fod",
                                             "crunchyroll"}
    assert all(sorted(eps) == list(range(1, 14)) for eps in by_release.values())


@pytest.mark.parametrize(("release", "episode", "instant"), [
    ("fuji-tv-ultra", 1, "2024-01-10T15:55:00Z"),   # Wednesday 24:55 JST = Thu 00:55 JST
    ("fuji-tv-ultra", 13, "2024-04-03T15:55:00Z"),
    ("crunchyroll", 1, "2024-01-10T18:25:00Z"),
    ("crunchyroll", 3, "2024-01-24T18:25:00Z"),     # Crunchyroll's own catalogue data
    ("d-anime-store", 1, "2024-01-11T03:00:00Z"),   # Thursday 12:00 JST
    ("fod", 13, "2024-04-04T03:00:00Z"),
])
def test_instants(metallic_rouge, release, episode, instant):
    _, by_release = metallic_rouge
    assert by_release[release][episode].start.astimezone(UTC) == utc(instant)


def test_broadcast_is_thursday_0055_in_tokyo(metallic_rouge):
    _, by_release = metallic_rouge
    first = by_release["fuji-tv-ultra"][1].start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert first.strftime("%A %H:%M %Z") == "Thursday 00:55 JST"


def test_slot_is_thirty_minutes(metallic_rouge):
    _, by_release = metallic_rouge
    airing = by_release["fuji-tv-ultra"][1]
    assert airing.end - airing.start == (utc("2024-01-10T16:25:00Z") - utc("2024-01-10T15:55:00Z"))


@pytest.mark.parametrize(("zone", "episode", "local"), [
    ("America/Los_Angeles", 9, "Wed 10:25 PST"),
    ("America/Los_Angeles", 10, "Wed 11:25 PDT"),   # US summer time began 2024-03-10
    ("Europe/London", 12, "Wed 18:25 GMT"),
    ("Europe/London", 13, "Wed 19:25 BST"),         # UK summer time began 2024-03-31
])
def test_crunchyroll_in_viewer_zones(metallic_rouge, zone, episode, local):
    _, by_release = metallic_rouge
    start = by_release["crunchyroll"][episode].start.astimezone(ZoneInfo(zone))
    assert start.strftime("%a %H:%M %Z") == local


def test_sydney_sees_every_episode_thursday_0525_aedt(metallic_rouge):
    _, by_release = metallic_rouge
    sydney = ZoneInfo("Australia/Sydney")
    assert {a.start.astimezone(sydney).strftime("%a %H:%M %Z")
            for a in by_release["crunchyroll"].values()} == {"Thu 05:25 AEDT"}


def test_widely_copied_wrong_time_is_not_used(metallic_rouge):
    """An article gave episode 2 as 11 am GMT / 3 am PT / 8 am CT; the data must not say so."""
    _, by_release = metallic_rouge
    wrong = utc("2024-01-17T11:00:00Z")
    assert all(eps[2].start.astimezone(UTC) != wrong for eps in by_release.values())


@pytest.mark.parametrize(("region", "releases"), [
    ("JP", {"fuji-tv-ultra", "d-anime-store", "fod"}),
    ("us", {"crunchyroll"}),
    ("GB", {"crunchyroll"}),
    ("BR", {"crunchyroll"}),
    ("AU", {"crunchyroll"}),
    ("KR", set()),          # Asia is excluded from Crunchyroll's release
    ("AQ", {"crunchyroll"}),  # world includes Antarctica, which no M49 group holds
])
def test_releases_watchable_in_region(metallic_rouge, region, releases):
    show, _ = metallic_rouge
    assert {r.id for r in releases_in(show, region)} == releases


def test_sources_are_recorded(metallic_rouge):
    show, _ = metallic_rouge
    assert any("Anime News Network, 2023-12-07" in s for s in show.sources)
    assert any("dアニメストア" in s for s in show.sources)


def test_titles_in_english_and_japanese(metallic_rouge):
    show, _ = metallic_rouge
    assert show.episodes[2].title("en") == "Marginal City"
    assert show.episodes[2].title("ja") == "境界の街"
    assert show.episodes[12].title("fr") == "Code Eve"  # falls back to English
    assert show.name("ja") == "メタリックルージュ"

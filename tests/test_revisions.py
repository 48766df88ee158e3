"""Changed airings keep their UID and get a higher SEQUENCE and a later LAST-MODIFIED,
across reloads and restarts; removed episodes leave the feed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from calfeed.web import state
from tests.conftest import fixed_clock

pytestmark = pytest.mark.both_backends

UTC = timezone.utc
T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 2, 10, 12, 0, tzinfo=UTC)


def event_table(app, path="/feeds/us/metallic-rouge.ics"):
    body = app.test_client().get(path).data
    return {str(e["UID"]): (e.decoded("DTSTART"), e["SEQUENCE"], e.decoded("LAST-MODIFIED"),
                            e.decoded("DTSTAMP"))
            for e in Calendar.from_ical(body).walk("VEVENT")}


def skip_a_week(schedules) -> None:
    """Metallic Rouge skips 2024-02-14: episode 6 on, a week later."""
    path = schedules / "metallic-rouge.yaml"
    path.write_text(path.read_text().replace("    start: 2024-01-10 24:55\n",
                                             "    start: 2024-01-10 24:55\n"
                                             "    skip: [2024-02-14]\n"))


def test_a_skipped_week_raises_sequence_and_survives_restart(make_on_copy, schedules):
    app = make_on_copy(CLOCK=fixed_clock(T0))
    before = event_table(app)
    assert {seq for _, seq, _, _ in before.values()} == {0}

    skip_a_week(schedules)
    state.service(app).clock = fixed_clock(T1)
    with app.app_context():
        state.service(app).reload()
    after = event_table(app)

    assert set(after) == set(before), "same UIDs"
    ep5, ep6 = "bgm425595-5-us@calfeed", "bgm425595-6-us@calfeed"
    assert after[ep5] == before[ep5]                      # before the skip: untouched
    start, sequence, modified, stamp = after[ep6]
    assert start == datetime(2024, 2, 21, 18, 25, tzinfo=UTC)   # one week later
    assert sequence == 1 and modified == stamp == T1 > before[ep6][2]

    restarted = make_on_copy(CLOCK=fixed_clock(datetime(2024, 3, 1, tzinfo=UTC)))
    assert event_table(restarted) == after


EP13 = "bgm425595-13-us@calfeed"


def _removed_then_restored(make_on_copy, schedules, restored_text):
    """Episode 13 is removed, then the file becomes `restored_text(original)`: the feed before
    the removal and after the return, each from a newly started app."""
    path = schedules / "metallic-rouge.yaml"
    original = path.read_text()
    before = event_table(make_on_copy(CLOCK=fixed_clock(T0)))
    assert EP13 in before
    path.write_text(original.replace("count: 13", "count: 12").replace(
        "    13: {en: Code Eve, ja: コード・イヴ}\n", ""))
    shorter = event_table(make_on_copy(CLOCK=fixed_clock(T1)))
    assert len(shorter) == 12 and EP13 not in shorter
    path.write_text(restored_text(original))
    return before, event_table(make_on_copy(CLOCK=fixed_clock(T1)))


def test_a_removed_episode_comes_back_unchanged_with_a_higher_sequence(make_on_copy, schedules):
    # Clients that dropped the event must see its return as news, not as a stale copy.
    before, after = _removed_then_restored(make_on_copy, schedules, lambda original: original)
    assert after[EP13][0] == before[EP13][0]
    assert after[EP13][1] > before[EP13][1]
    assert after[EP13][2] == T1 > before[EP13][2]
    others = set(before) - {EP13}
    assert {uid: after[uid] for uid in others} == {uid: before[uid] for uid in others}


def test_a_removed_episode_leaves_the_feed_and_returns_moved_with_a_higher_sequence(
        make_on_copy, schedules):
    def moved_an_hour(original):
        return original.replace("start: 2024-01-10 24:55", "start: 2024-01-10 25:55")
    before, moved = _removed_then_restored(make_on_copy, schedules, moved_an_hour)
    assert moved[EP13][0] == before[EP13][0] + timedelta(hours=1)
    assert moved[EP13][1] == 1


def test_the_same_data_loaded_twice_changes_nothing(make_app):
    # A show feed: a region feed's window moves with the clock.
    feed = "/feeds/jp/metallic-rouge.ics"
    first = make_app(CLOCK=fixed_clock(T0)).test_client().get(feed)
    second = make_app(CLOCK=fixed_clock(T1)).test_client().get(feed)
    assert first.data == second.data
    assert first.headers["Last-Modified"] == second.headers["Last-Modified"]


def test_a_new_earliest_release_keeps_the_episode_uids_and_raises_their_sequence(make_on_copy,
                                                                                schedules):
    """Fuji TV +Ultra skips 14 February: d Anime Store's Thursday noon stream becomes the
    earliest release in Japan for episodes 6-13. The events are the episodes', not a
    release's: the same 13 UIDs, the moved ones with a higher SEQUENCE."""
    app = make_on_copy(CLOCK=fixed_clock(T0))
    before = event_table(app, "/feeds/jp/metallic-rouge.ics")
    uids = {f"bgm425595-{n}-jp@calfeed" for n in range(1, 14)}
    assert set(before) == uids

    skip_a_week(schedules)
    state.service(app).clock = fixed_clock(T1)
    with app.app_context():
        state.service(app).reload()
    after = event_table(app, "/feeds/jp/metallic-rouge.ics")

    assert set(after) == uids
    for n in range(1, 6):
        assert after[f"bgm425595-{n}-jp@calfeed"] == before[f"bgm425595-{n}-jp@calfeed"]
    for n in range(6, 14):
        start, sequence, modified, _ = after[f"bgm425595-{n}-jp@calfeed"]
        assert sequence == 1 and modified == T1
        # d Anime Store's Thursday noon in Tokyo (03:00 UTC), no longer Fuji TV's night slot.
        assert (start.weekday(), start.hour, start.minute) == (3, 3, 0)
        assert start > before[f"bgm425595-{n}-jp@calfeed"][0]
    episode6 = app.test_client().get("/feeds/jp/metallic-rouge.ics").data.decode()
    assert "LOCATION:d Anime Store" in episode6


def uids_of(client, path):
    return {str(e["UID"]) for e in Calendar.from_ical(client.get(path).data).walk("VEVENT")}


def test_every_release_feed_has_one_uid_per_release_others_one_per_episode(client):
    assert uids_of(client, "/feeds/jp/metallic-rouge.ics?releases=all") == {
        f"bgm425595-{n}-{release}@calfeed" for n in range(1, 14)
        for release in ("fuji-tv-ultra", "d-anime-store", "fod")}
    episodes = {f"bgm425595-{n}-jp@calfeed" for n in range(1, 14)}
    assert uids_of(client, "/feeds/jp/metallic-rouge.ics") == episodes
    assert uids_of(client, "/feeds/jp/metallic-rouge.ics?release=fod") == episodes

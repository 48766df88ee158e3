"""What is on air around now in a region: the region feed's window, asked show by show.

A region's feed carries the airings in its window (publish/selection.region_window: two weeks
back to two months ahead). The front page and the my-calendar form list the shows airing in
that window whatever their season (a long runner began decades ago), and a page offers the
region feed only when that window holds an airing. All ask each show's cheap bounds first
(ShowAirings.may_air_between, microseconds a show) and make only the few shows that pass, for
the window alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from ..publish.published import Published, Window
from ..publish.selection import region_window
from ..schedule.model import Airing, Show
from ..schedule.regions import Country


def window_airings(published: Published, region: Country, show: Show,
                   window: Window) -> list[Airing]:
    """The airings a region sees of a show in a window: the earliest release of each episode,
    as the region feed picks them; nothing is made for a show whose bounds miss the window."""
    if not published.catalogue.airings.may_air_between(show.id, *window):
        return []
    return published.selection(region.code, (show.id,), None, False, window)


def on_air(published: Published, region: Country, now: datetime,
           shows: Iterable[Show]) -> list[Show]:
    """The shows with an episode in the region that has not ended by `now` and starts before
    the region feed's window closes: on air now or next, however long ago they began."""
    # The feed's whole-day window, not one from `now`: its airings are made once a day and
    # shared by every request of the day (an episode on the air now started inside it too).
    window = region_window(now)
    return [show for show in shows
            if any(a.over_by > now for a in window_airings(published, region, show, window))]


def on_air_ids(published: Published, region: Country, now: datetime) -> frozenset[str]:
    """The ids of the region's shows on air now or next (as `on_air`), worked out once per
    region a day and kept beside the data version."""
    return published.memo(("on-air", region.code, region_window(now)),
                          lambda: frozenset(s.id for s in on_air(
                              published, region, now, published.catalogue.shows_in(region.code))))


def region_feed_has_events(published: Published, region: Country, now: datetime) -> bool:
    """Whether the region's feed (its default choice of releases) holds an event now: the
    question every page asks before it offers that feed. Worked out once per region a day."""
    window = region_window(now)

    def make() -> bool:
        return any(window_airings(published, region, show, window)
                   for show in published.catalogue.shows_in(region.code))
    return published.memo(("region-feed-has-events", region.code, window), make)


"""The week page: /week?region=CC&from=YYYY-MM-DD, seven days of airings in a region."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Flask, render_template

from . import state
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..query.from_to import moment
from ..render.data_end import ended_before
from ..render.week import today_in, week
from ..schedule.regions import Country
from ..schedule.wallclock import FIRST_YEAR, LAST_YEAR
from ..schedule.zones import zone_of
from .page_cache import chosen_region, whole_response
from .params import Values, takes
from .page_words import page_language
from .pages import page, page_region, picker

week_views = Blueprint("week", __name__)


# `calendar` is not among the parameters: "only my calendar" is filtered in the browser from
# what the edit page left in localStorage, so no feed id ever reaches a URL, a log or a Referer.
@week_views.get("/week")
@whole_response(chosen_region)
@takes("region", "from", "release", "tz", "lang", page=True)
def week_page(args: Values):
    region = page_region(args)
    published = state.current()
    now = state.now()
    # The viewer's zone, which the page's script adds once it knows it: the days are then cut
    # at the viewer's midnights. Without it (no script), the region's zone.
    zone = parse.zone(args.get("tz"), region) if "tz" in args else None
    start = (_first_day(args.get("from"), region, zone) if "from" in args
             else today_in(region, now, zone))
    release = _platform(args.get("release"), published, region) if "release" in args else None
    shown = week(published, region, start, now, release, zone, page_language())
    begins = datetime.fromisoformat(shown.begin_utc.replace("Z", "+00:00"))
    return page(render_template("week.html", week=shown, region=region, **picker(args),
                                today=today_in(region, now, zone),
                                tz=zone.key if zone else None,
                                data_end=None if shown.count else ended_before(
                                    published, begins, page_language())))


def _first_day(text: str, region: Country, zone=None) -> date:
    """`from`, read by its one parser (a date, or a date-time whose date in the week's zone
    is taken), within the years calfeed lists."""
    zone = zone or zone_of(None, region)
    day = moment(text, "from", zone, end_of_day=False).astimezone(zone).date()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ParameterError("from", f"from '{text}' is out of range: calfeed lists years "
                                     f"{FIRST_YEAR} to {LAST_YEAR}")
    return day


def _platform(text: str, published, region: Country) -> str:
    """`release`, read by its one parser: the same check and message as feeds and the API."""
    (release_id, *more) = sorted(parse.release(text, published.catalogue.shows_in(region.code),
                                               region))
    if more:
        raise ParameterError("release", "the week shows one platform at a time: give one "
                                        "release id")
    return release_id


def init_app(app: Flask) -> None:
    app.register_blueprint(week_views)

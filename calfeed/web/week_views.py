"""The week page: /week?region=CC&from=YYYY-MM-DD, seven days of airings in a region."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Flask, request, render_template

from . import state
from ..render.week import platforms, today_in, week
from ..schedule.wallclock import FIRST_YEAR, LAST_YEAR
from .params import ParameterError, single_values
from .views import _page, _page_region, _region_choices

week_views = Blueprint("week", __name__)

# `calendar` is not among them: "only my calendar" is filtered in the browser from what the
# edit page left in localStorage, so no feed id ever reaches a URL, a log or a Referer.
WEEK_PARAMETERS = ("region", "from", "release")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@week_views.get("/week")
def week_page():
    values = single_values(request.args.lists(), WEEK_PARAMETERS, allow_empty=True)
    region = _page_region(values)
    published = state.current()
    now = state.now()
    start = _first_day(values["from"]) if "from" in values else today_in(region, now)
    release = values.get("release")
    if release is not None and release not in dict(platforms(published, region)):
        names = ", ".join(r for r, _ in platforms(published, region)) or "none"
        raise ParameterError("release", f"release '{release[:40]}' is not a platform in "
                                        f"{region.name}: use one of {names}")
    shown = week(published, region, start, now, release)
    return _page(render_template("week.html", week=shown, region=region,
                                 regions=_region_choices(), today=today_in(region, now)))


def _first_day(text: str) -> date:
    try:
        # Only YYYY-MM-DD: fromisoformat alone would also take 20240108 and 2024-W02-1.
        day = date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise ParameterError("from", f"from '{text[:40]}' is not a date: write YYYY-MM-DD, "
                                     "such as 2024-01-08")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ParameterError("from", f"from '{text}' is out of range: calfeed lists years "
                                     f"{FIRST_YEAR} to {LAST_YEAR}")
    return day


def init_app(app: Flask) -> None:
    app.register_blueprint(week_views)

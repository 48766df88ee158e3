"""Golden files: feeds and an API document compared line by line, then byte for byte.

Each pins what a client reads for one kind of answer: a show feed in Japan and the US, a
region feed, all-day events in a viewer's zone, Japanese words with a reminder, an imported
show's days without their time, a personal calendar (its secret address written as zeros),
and the API's show document. After an intended change, look
at the diff, then rewrite the files with
`.venv/bin/python -m pytest tests/test_feed_golden.py --rewrite-golden` and commit them with
the change.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import fixed_clock

GOLDEN = Path(__file__).parent / "golden"
# The imported catalogue as the pinned dataset gives it, on a day of its spring season.
APRIL = datetime(2026, 4, 6, tzinfo=timezone.utc)
GOLDENS = {
    "metallic-rouge-jp.ics": ("/feeds/jp/metallic-rouge.ics", {}),
    "metallic-rouge-us.ics": ("/feeds/us/metallic-rouge.ics", {}),
    "region-jp.ics": ("/feeds/jp.ics", {}),
    "all-day-los-angeles.ics": ("/feeds/us/metallic-rouge.ics?all_day=1&tz=America/Los_Angeles",
                                {}),
    "japanese-with-reminder.ics": ("/feeds/jp/metallic-rouge.ics?lang=ja&alarm=15", {}),
    "imported-days-without-time.ics": ("/feeds/us/daemons-of-the-shadow-realm.ics",
                                       {"IMPORT": 1, "CLOCK": APRIL}),
    "api-show-metallic-rouge.json": ("/api/v1/shows/metallic-rouge", {}),
    # A personal calendar of Metallic Rouge in the US on Crunchyroll, with a reminder.
    "personal-us.ics": (None, {}),
}
# A personal feed's address is a secret made at random: written as zeros, the same length, so
# the lines fold where they would.
SECRET = "0"


def personal_feed(client) -> bytes:
    client.environ_base.update({"HTTP_SEC_FETCH_SITE": "same-origin"})
    made = client.post("/calendars", data={"region": "us", "show": "metallic-rouge",
                                           "platform": "metallic-rouge:crunchyroll",
                                           "alarm": "15"})
    assert made.status_code == 303, made.text
    page = client.get(made.headers["Location"].split("?")[0]).text
    feed = re.search(r'data-calendar-feed="http://localhost(/feeds/my/([^"]+)\.ics)"', page)
    body = client.get(feed.group(1)).data
    return body.replace(feed.group(2).encode(), SECRET.encode() * len(feed.group(2)))


def render(name: str, make_app) -> bytes:
    path, config = GOLDENS[name]
    config = dict(config)
    if "CLOCK" in config:
        config["CLOCK"] = fixed_clock(config["CLOCK"])
    app = make_app(**config)
    if path is None:
        return personal_feed(app.test_client())
    response = app.test_client().get(path)
    assert response.status_code == 200, (path, response.text)
    return response.data


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden_answer(name, make_app, request):
    produced = render(name, make_app)
    if request.config.getoption("rewrite_golden"):
        (GOLDEN / name).write_bytes(produced)
    expected = (GOLDEN / name).read_bytes()
    # Lines first, for a readable diff; then bytes, for line endings and anything else.
    assert produced.decode().splitlines() == expected.decode().splitlines()
    assert produced == expected

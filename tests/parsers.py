"""Independent iCalendar parsers, each reduced to {UID: UTC start} for comparison.

ical.js is Thunderbird's parser (strict); `ical` is Home Assistant's (strict); vobject is strict
about escaping; icalendar is lenient but records what it could not parse on `.errors`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

UTC = timezone.utc
ICALJS_SCRIPT = Path(__file__).parent / "js" / "parse-ical.mjs"


def _instant(value) -> str:
    if isinstance(value, datetime):
        assert value.tzinfo is not None, f"floating time {value}"
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert isinstance(value, date)
    return value.isoformat()


def with_icaljs(body: bytes) -> dict[str, str]:
    node = shutil.which("node")
    assert node, "node is needed for the ical.js checks: install nodejs (.ci/run does)"
    assert (ICALJS_SCRIPT.parent / "node_modules" / "ical.js").is_dir(), \
        "run 'make test' (npm ci in tests/js) to install ical.js from its lock file"
    done = subprocess.run([node, str(ICALJS_SCRIPT)], input=body, capture_output=True,
                          timeout=60, env={**os.environ, "NODE_NO_WARNINGS": "1"})
    assert done.returncode == 0, done.stderr.decode()
    result = {}
    for event in json.loads(done.stdout)["events"]:
        start = event["start"]
        result[event["uid"]] = (start.replace(".000Z", "Z") if not event["all_day"]
                                else date.fromisoformat(start).isoformat())
    return result


def with_ical(body: bytes) -> dict[str, str]:
    from ical.calendar_stream import IcsCalendarStream
    calendar = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    return {event.uid: _instant(event.dtstart) for event in calendar.events}


def with_vobject(body: bytes) -> dict[str, str]:
    import vobject
    calendar = vobject.readOne(body.decode("utf-8"))
    return {event.uid.value: _instant(event.dtstart.value)
            for event in getattr(calendar, "vevent_list", [])}


def with_icalendar(body: bytes) -> dict[str, str]:
    from icalendar import Calendar
    calendar = Calendar.from_ical(body)
    problems = [(c.name, c.errors) for c in calendar.walk() if c.errors]
    assert not problems, problems
    return {str(event["UID"]): _instant(event.decoded("DTSTART"))
            for event in calendar.walk("VEVENT")}


PARSERS = {"ical.js": with_icaljs, "ical": with_ical, "vobject": with_vobject,
           "icalendar": with_icalendar}

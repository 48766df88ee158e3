"""The my-calendar form's cost with the imported catalogue, before (another commit) and now.

    .venv/bin/python bench/calendar_form.py [--before main] [--markdown out.md]

Each code runs in a process of its own on the default data (the curated folder plus the
imported catalogue), its clock on a busy day of the dataset (2024-10-20: many shows on air),
and is asked through its WSGI stack with Flask's test client, so the figures are the app's own
work without a network, side by side in one run. For Japan (every one of the 8,481 shows is
watchable there) it reports the page's bytes, its first and repeated (median of 20) time,
whether it can be cached or sets a cookie, and the bytes a browser sends back for three ticked
shows (every field the page's form submits: its menus of unticked shows too, unless disabled);
then the time of the form the issue found quadratic (the United States' 824 shows and 1,800
bare release values, 63 KB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.before import checkout  # noqa: E402

MEASURE = r'''
import json, re, statistics, sys, tempfile, time
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode
sys.path.insert(0, sys.argv[1])
from calfeed import create_app

class Fields(HTMLParser):
    """What the calendar form submits as a browser would: hidden and ticked inputs, and each
    enabled menu's selected (else first) option."""
    def __init__(self):
        super().__init__()
        self.inside, self.fields, self.menu, self.first, self.chosen = False, [], None, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "calendar-form" in (a.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and (a.get("type") == "hidden" or "checked" in a):
            self.fields.append((a["name"], a.get("value", "")))
        if tag == "select" and a.get("name") and "disabled" not in a:
            self.menu, self.first, self.chosen = a["name"], None, None
        if tag == "option" and self.menu:
            if self.first is None:
                self.first = a.get("value", "")
            if "selected" in a:
                self.chosen = a.get("value", "")
    def handle_endtag(self, tag):
        if tag == "select" and self.menu:
            self.fields.append((self.menu, self.chosen if self.chosen is not None else self.first))
            self.menu = None
        if tag == "form":
            self.inside = False

folder = Path(tempfile.mkdtemp())
app = create_app({"STATE_PATH": str(folder / "s.sqlite3"), "RELOAD_INTERVAL": 0,
                  "CALENDARS_PATH": str(folder / "c.sqlite3"), "RESPONSE_CACHE_SECONDS": 10,
                  "CLOCK": lambda: datetime(2024, 10, 20, tzinfo=timezone.utc)})
client = app.test_client()
client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"
url = "/calendars/new?region=jp"
started = time.perf_counter()
first = client.get(url)
first_ms = (time.perf_counter() - started) * 1000
again = []
for _ in range(20):
    started = time.perf_counter()
    client.get(url)
    again.append((time.perf_counter() - started) * 1000)
# The form the issue found quadratic: every show of the United States (824) and 1,800 bare
# release values (each was checked against every chosen show), 63 KB, under the 64 KB limit.
us = client.get("/api/v1/regions/us").get_json()["shows"]
search = client.get("/search?region=us").get_data(as_text=True)
platforms = re.findall(r'<option value="([^"]+)"[^>]*>[^<]+ \(\d+\)</option>', search)
ticked = ["frieren-beyond-journey-s-end", "the-apothecary-diaries", "metallic-rouge"]
parser = Fields()
parser.feed(first.get_data(as_text=True))
sent = urlencode(parser.fields + [("show", s) for s in ticked])
# Code of before this commit asks for a CSRF token: the page's, as a browser sends it.
token = re.search(r'name="csrf_token" value="([^"]+)"', first.get_data(as_text=True))
body = urlencode([("region", "us")] + [("show", s) for s in us[:824]] +
                 [("release", platforms[i % len(platforms)]) for i in range(1800)] +
                 ([("csrf_token", token.group(1))] if token else []))
started = time.perf_counter()
answer = client.post("/calendars", data=body, headers={
    "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))})
form_ms = (time.perf_counter() - started) * 1000
print(json.dumps({"bytes": len(first.data), "first_ms": first_ms,
                  "again_ms": statistics.median(again),
                  "cache_control": first.headers.get("Cache-Control"),
                  "cookie": "Set-Cookie" in first.headers, "sent": len(sent),
                  "big_form_bytes": len(body), "big_form_ms": form_ms,
                  "big_form_status": answer.status_code}))
'''


def measure(code: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(code)], check=True,
                         capture_output=True, text=True, cwd=code).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(rows: list[tuple[str, dict]]) -> str:
    lines = ["| code | page bytes | first ms | repeated ms | Cache-Control | cookie | "
             "sent for 3 shows | 1,800-field form |",
             "| --- | ---: | ---: | ---: | --- | --- | ---: | --- |"]
    for name, r in rows:
        lines.append(f"| {name} | {r['bytes']:,} | {r['first_ms']:.0f} | {r['again_ms']:.1f} | "
                     f"{r['cache_control']} | {'yes' if r['cookie'] else 'no'} | "
                     f"{r['sent']:,} B | {r['big_form_status']} in {r['big_form_ms']:.0f} ms "
                     f"({r['big_form_bytes']:,} B) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main")
    parser.add_argument("--markdown", type=Path)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        before = checkout(arguments.before, Path(temporary))
        # The import reads the dataset from the checkout's data/ folder: share ours.
        (before / "data" / "bangumi" / "node_modules").symlink_to(
            ROOT / "data" / "bangumi" / "node_modules")
        rows = [(f"before ({arguments.before})", measure(before)), ("now", measure(ROOT))]
    text = table(rows)
    print(text)
    if arguments.markdown:
        arguments.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

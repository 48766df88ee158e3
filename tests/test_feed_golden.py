"""Golden feeds: the Metallic Rouge JP and US feeds, compared line by line, then byte for byte.

After an intended change to the feeds, look at the diff, then rewrite the files with
`.venv/bin/python -m tests.test_feed_golden` and commit them with the change.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
FEEDS = {"metallic-rouge-jp.ics": "/feeds/jp/metallic-rouge.ics",
         "metallic-rouge-us.ics": "/feeds/us/metallic-rouge.ics"}


def render(name: str, state_path: str) -> bytes:
    from calfeed import create_app
    from tests.conftest import BUNDLED_SCHEDULES, app_config
    # The tests' own app configuration, also when run as a script to rewrite the files.
    app = create_app(app_config(BUNDLED_SCHEDULES, state_path))
    return app.test_client().get(FEEDS[name]).data


@pytest.mark.parametrize("name", sorted(FEEDS))
def test_golden_feed(name, tmp_path):
    produced = render(name, str(tmp_path / "state.sqlite3"))
    expected = (GOLDEN / name).read_bytes()
    # Lines first, for a readable diff; then bytes, for line endings and anything else.
    assert produced.decode().splitlines() == expected.decode().splitlines()
    assert produced == expected


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        for feed_name in FEEDS:
            (GOLDEN / feed_name).write_bytes(render(feed_name, f"{folder}/state.sqlite3"))
            print(f"wrote {GOLDEN / feed_name}")

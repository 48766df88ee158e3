"""Settings from the environment: a number that is not one is refused at start, by name, by
every way of starting calfeed (the server script, the WSGI module, the command line)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from calfeed.cli import cli
from calfeed.config import SettingError, load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name, text", [
    ("MALLOC_TRIM_SECONDS", "abc"), ("RESPONSE_CACHE_SECONDS", "-1"),
    ("FEED_MAX_BYTES", "NaN"), ("MEMO_MAX_BYTES", ""), ("RELOAD_INTERVAL", '"10"'),
    ("MALLOC_TRIM_SECONDS", "Infinity"), ("EVENT_CACHE_MAX_BYTES", "1e309"),
])
def test_a_number_that_is_not_one_is_refused_by_name(monkeypatch, name, text):
    monkeypatch.setenv(f"CALFEED_{name}", text)
    with pytest.raises(SettingError, match=rf"^CALFEED_{name}=.* is not valid: give a number, "
                                           r"0 or more \(the default is "):
        load_config()


@pytest.mark.parametrize("text, value", [("0.5", 0.5), ("0", 0), ("2", 2)])
def test_numbers_are_taken(monkeypatch, text, value):
    monkeypatch.setenv("CALFEED_MALLOC_TRIM_SECONDS", text)
    assert load_config()["MALLOC_TRIM_SECONDS"] == value


def test_the_command_line_says_it_and_exits_1():
    result = CliRunner().invoke(cli, ["check"], env={"CALFEED_MALLOC_TRIM_SECONDS": "abc"})
    assert result.exit_code == 1
    assert result.output == ("Error: CALFEED_MALLOC_TRIM_SECONDS='abc' is not valid: give a "
                             "number, 0 or more (the default is 1)\n")


@pytest.mark.parametrize("command", [["deploy/serve.py"], ["-c", "import wsgi"]])
def test_the_server_says_it_and_exits_1_without_a_traceback(command):
    env = {**os.environ, "CALFEED_RESPONSE_CACHE_SECONDS": "ten"}
    done = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == ("CALFEED_RESPONSE_CACHE_SECONDS='ten' is not valid: give a number, "
                           "0 or more (the default is 10)\n")

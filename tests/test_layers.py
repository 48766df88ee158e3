"""The domain (schedule, publish, render, source, and the query layer), the serving core and the
personal calendars run without Flask: every module of them is imported in a fresh interpreter,
and Flask must not have been loaded by any."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import calfeed

DOMAIN = ("schedule", "publish", "render", "source", "query", "serve", "calendars")
# Modules beside the packages that the domain uses.
SHARED = ("calfeed.errors", "calfeed.i18n", "calfeed.lru", "calfeed.suggest")

# Imports each module named on the command line in turn and prints the first that loaded
# Flask (or werkzeug, which only Flask brings) or the web layer, else nothing.
IMPORT_EACH = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
    loaded = sorted(m for m in ("flask", "werkzeug", "calfeed.web") if m in sys.modules)
    if loaded:
        print(name, "loaded", ", ".join(loaded))
        break
"""


def domain_modules() -> list[str]:
    root = Path(calfeed.__file__).parent
    return [*SHARED, *(f"calfeed.{package}.{info.name}" for package in DOMAIN
                       for info in pkgutil.iter_modules([str(root / package)]))]


def test_the_domain_modules_do_not_load_flask():
    modules = domain_modules()
    assert {"calfeed.schedule.expand", "calfeed.publish.published", "calfeed.render.feeds",
            "calfeed.source.bangumi", "calfeed.query.values", "calfeed.serve.service",
            "calfeed.calendars.store"} <= set(modules)
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH, *modules], capture_output=True,
                            text=True, timeout=120, cwd=Path(calfeed.__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_the_check_itself_sees_flask():
    # The same script on a module of the web layer reports Flask: the check can fail.
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH, "calfeed.web.views"],
                            capture_output=True, text=True, timeout=120,
                            cwd=Path(calfeed.__file__).parent.parent)
    assert result.stdout.startswith("calfeed.web.views loaded calfeed.web, flask")

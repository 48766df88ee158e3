"""The domain (schedule, source, publish, index, query, render), the personal calendars and the
serving core run without Flask: every module of them is imported in a fresh interpreter, and
Flask must not have been loaded by any; and each of their packages imports only the packages
below it."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import calfeed

# Lowest first: a package may import the shared modules, its own package and those before it.
DOMAIN = ("schedule", "source", "publish", "index", "query", "render", "calendars", "serve")
# Modules beside the packages that the domain uses.
SHARED = ("calfeed.database", "calfeed.errors", "calfeed.i18n", "calfeed.lru", "calfeed.suggest")

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
            "calfeed.source.bangumi", "calfeed.query.values", "calfeed.index.search",
            "calfeed.serve.service", "calfeed.calendars.store"} <= set(modules)
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


def calfeed_imports(path: Path, package: str) -> set[str]:
    """The calfeed modules a file imports, at its top or inside a function, as dotted names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) + 1 - node.level] \
                if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [module] if node.module else [f"{module}.{a.name}" for a in node.names]
            found.update(names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("calfeed.")}


def layer_of(module: str) -> int | None:
    """A module's place in DOMAIN; None for the shared modules, which every layer may use."""
    if module in SHARED:
        return None
    package = module.split(".")[1]
    return DOMAIN.index(package) if package in DOMAIN else len(DOMAIN)


def upward_imports() -> list[str]:
    root = Path(calfeed.__file__).parent
    wrong = []
    for layer, package in enumerate(DOMAIN):
        for path in sorted((root / package).glob("*.py")):
            for module in calfeed_imports(path, f"calfeed.{package}"):
                above = layer_of(module)
                if above is not None and above > layer:
                    wrong.append(f"calfeed/{package}/{path.name} imports {module}")
    for shared in SHARED:
        path = root / f"{shared.split('.')[1]}.py"
        wrong += [f"{shared} imports {module}" for module in calfeed_imports(path, "calfeed")
                  if module not in SHARED]
    return wrong


def test_each_domain_package_imports_only_those_below_it():
    assert upward_imports() == []


def test_the_layer_check_sees_an_upward_import(tmp_path):
    # The same reading of a file that imports upward names it: the check can fail.
    upward = tmp_path / "x.py"
    upward.write_text("from ..render.feeds import Feed\n\ndef f():\n    from .. import web\n")
    assert calfeed_imports(upward, "calfeed.publish") == {"calfeed.render.feeds", "calfeed.web"}
    assert layer_of("calfeed.render.feeds") > DOMAIN.index("publish")
    assert layer_of("calfeed.web") > DOMAIN.index("render")

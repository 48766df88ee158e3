"""How calfeed's modules import each other, read from their source: no module takes another's
private (`_name`) names, and the web layer's modules import each other without a circle.

Every import counts, at the top of a module or inside a function: an import moved into a
function hides a circle from Python's loader, not from the reader."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import calfeed

ROOT = Path(calfeed.__file__).parent


@dataclass(frozen=True)
class Use:
    """One module's use of another: the module, the name taken (None: the module itself) and
    the line."""
    module: str
    name: str | None
    line: int


def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module names of a package's source files (a package is its __init__.py)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join((package, *parts[:-1 if parts[-1] == "__init__" else None]))] = path
    return found


def uses(root: Path = ROOT, package: str = "calfeed") -> dict[str, list[Use]]:
    """For each module of the package, what it takes from the package's other modules: each
    imported name, and each attribute read from a module it imported (`state._lock`)."""
    known = modules(root, package)
    found: dict[str, list[Use]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        taken: list[Use] = []
        bound: dict[str, str] = {}      # a local name -> the module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = node.module or ""
                if node.level:
                    base = here.split(".")[:len(here.split(".")) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                for alias in node.names:
                    if f"{source}.{alias.name}" in known:
                        taken.append(Use(f"{source}.{alias.name}", None, node.lineno))
                        bound[alias.asname or alias.name] = f"{source}.{alias.name}"
                    elif source in known:
                        taken.append(Use(source, alias.name, node.lineno))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known:
                        taken.append(Use(alias.name, None, node.lineno))
                        if alias.asname:
                            bound[alias.asname] = alias.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in bound:
                taken.append(Use(bound[node.value.id], node.attr, node.lineno))
        found[name] = taken
    return found


def private_uses(found: dict[str, list[Use]]) -> list[str]:
    return [f"{module} line {use.line} takes {use.module}.{use.name}"
            for module, taken in found.items() for use in taken
            if use.name and use.name.startswith("_") and not use.name.startswith("__")
            and use.module != module]


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in order:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], order[other])
        if low[node] == order[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def web_graph(found: dict[str, list[Use]], prefix: str = "calfeed.web.") -> dict[str, set[str]]:
    return {module: {use.module for use in taken
                     if use.module.startswith(prefix) and use.module != module}
            for module, taken in found.items() if module.startswith(prefix)}


def test_no_module_takes_another_modules_private_names():
    # A helper two modules need is public in one of them (web/pages.py holds the pages').
    assert private_uses(uses()) == []


def test_the_web_layer_has_no_import_circle():
    found = uses()
    graph = web_graph(found)
    assert {"calfeed.web.views", "calfeed.web.pages", "calfeed.web.calendars"} <= set(graph)
    assert "calfeed.web.pages" in graph["calfeed.web.catalogue_views"]
    assert circles(graph) == []


def test_the_front_page_is_routed_where_it_is_written(app):
    assert app.url_map.bind("localhost").match("/") == ("catalogue.front_page", {})


def write_package(folder: Path, files: dict[str, str]) -> Path:
    root = folder / "pkg"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_checks_see_a_private_import_and_a_circle_hidden_in_a_function(tmp_path):
    # The same readers on a made-up package that breaks both rules: the checks can fail.
    root = write_package(tmp_path, {
        "__init__.py": "",
        "web/__init__.py": "",
        "web/views.py": "from .pages import _page\n\ndef index():\n"
                        "    from .catalogue import front\n    return front()\n",
        "web/catalogue.py": "from . import views\n\ndef front():\n    return views._secret\n",
        "web/pages.py": "def _page():\n    pass\n",
    })
    found = uses(root, "pkg")
    assert sorted(private_uses(found)) == ["pkg.web.catalogue line 4 takes pkg.web.views._secret",
                                           "pkg.web.views line 1 takes pkg.web.pages._page"]
    assert circles(web_graph(found, "pkg.web.")) == [["pkg.web.catalogue", "pkg.web.views"]]

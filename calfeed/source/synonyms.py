"""Short names fans type for a show (tensura, kanokari), from the reviewed synonyms.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import CatalogueError, ScheduleError
from ..schedule.yamlfile import compose_data_file
from .aliases import STABLE_KEY

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")


def read_synonyms(path: Path = SYNONYMS_FILE) -> dict[str, tuple[str, ...]]:
    """stable key -> names; a CatalogueError naming file, line and what to fix otherwise. Each
    entry says where its names come from (`sources:`), so a reviewer can check them."""
    root = compose_data_file(path)
    if root is None:
        return {}
    errors: list[ScheduleError] = []

    def problem(node: yaml.Node, message: str) -> None:
        errors.append(ScheduleError(str(path), node.start_mark.line + 1,
                                    node.start_mark.column + 1, message))
    if not isinstance(root, yaml.MappingNode):
        problem(root, "expected a mapping of stable keys to entries (bgm239816: {names: "
                      "[tensura], sources: [a page that names it]})")
        raise CatalogueError(errors)
    found: dict[str, tuple[str, ...]] = {}
    for key, entry in root.value:
        show = str(key.value)
        fields = {str(k.value): v for k, v in entry.value} \
            if isinstance(entry, yaml.MappingNode) else {}
        if not STABLE_KEY.fullmatch(show):
            problem(key, f"'{show}' is not a stable key; write bgm and the bangumi.tv subject "
                         "id, e.g. bgm239816")
        elif show in found:
            problem(key, f"'{show}' is listed twice: keep one entry")
        elif set(fields) != {"names", "sources"}:
            problem(entry, f"'{show}': give exactly `names:` (what fans type) and `sources:` "
                           "(pages that use those names)")
        elif not (names := _strings(fields["names"])):
            problem(fields["names"], f"'{show}': names must be a list of words, e.g. [tensura]")
        elif not _strings(fields["sources"]):
            problem(fields["sources"], f"'{show}': sources must list at least one page that "
                                       "uses the names")
        else:
            found[show] = names
    if errors:
        raise CatalogueError(errors)
    return found


def _strings(node: yaml.Node) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode) or not all(
            isinstance(item, yaml.ScalarNode) and str(item.value).strip() for item in node.value):
        return ()
    return tuple(str(item.value).strip() for item in node.value)


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[str, ...]]:
    """The packaged table, read once (it changes with a release of calfeed, not at run time)."""
    return read_synonyms()

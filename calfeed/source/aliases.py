"""Show ids that changed keep working: each old id, and the stable key, lead to today's id.

A show's stable key is its `uid_key` (`bgm425595`: the bangumi.tv subject), which never changes
across dataset versions or title edits. Two kinds of id lead to a show besides its own:
- the stable key itself (`/shows/bgm425595` -> `/shows/metallic-rouge`), always;
- an id once served that has changed since (a dataset refresh renamed the English title, a
  curated file took another id), listed in `aliases.yaml` as `old-id: bgm425595`, reviewed like
  schedules. `calfeed sources --against OLD` prints the lines a refresh needs (`renamed_ids`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from ..errors import CatalogueError, ScheduleError
from ..schedule.yamlfile import compose_data_file
from ..schedule.model import Show

ALIASES_FILE = Path(__file__).with_name("aliases.yaml")
STABLE_KEY = re.compile(r"bgm[0-9]+")
SHOW_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def read_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    """old id -> stable key; a CatalogueError naming file, line and what to fix otherwise."""
    root = compose_data_file(path)
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise CatalogueError([ScheduleError(str(path), root.start_mark.line + 1,
                                          root.start_mark.column + 1,
                                          "expected a mapping of old show ids to stable keys "
                                          "(old-id: bgm425595)")])
    aliases, errors = {}, []
    for key, value in root.value:
        def problem(node, message):
            errors.append(ScheduleError(str(path), node.start_mark.line + 1,
                                        node.start_mark.column + 1, message))
        old, target = str(key.value), str(value.value)
        if not isinstance(key, yaml.ScalarNode) or not SHOW_ID.fullmatch(old):
            problem(key, f"'{old}' is not a show id: lower-case letters, digits and hyphens")
        elif old in aliases:
            problem(key, f"'{old}' is listed twice: keep one line")
        elif not isinstance(value, yaml.ScalarNode) or not STABLE_KEY.fullmatch(target):
            problem(value, f"'{old}': '{target}' is not a stable key; write bgm and the "
                           "bangumi.tv subject id, e.g. bgm425595")
        else:
            aliases[old] = target
    if errors:
        raise CatalogueError(errors)
    return aliases


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """The packaged table, read once (it changes with a release of calfeed, not at run time)."""
    return read_aliases()


@dataclass(frozen=True)
class ShowIndex:
    """Today's id of each stable key, and the table of old ids: made once per data version."""

    by_key: Mapping[str, str]
    aliases: Mapping[str, str]

    def current_id(self, requested: str) -> str | None:
        """Today's id of a show asked for by an id that is not today's: None if none leads on."""
        key = requested if STABLE_KEY.fullmatch(requested) else self.aliases.get(requested)
        found = self.by_key.get(key) if key else None
        return found if found != requested else None


def show_index(shows: Iterable[Show], aliases: Mapping[str, str]) -> ShowIndex:
    by_key: dict[str, str] = {}
    for show in shows:
        # A stable key names one show; were two shows to share one, the first keeps it.
        by_key.setdefault(show.uid_key, show.id)
    return ShowIndex(by_key, dict(aliases))


def renamed_ids(old: Mapping[str, Show], new: Mapping[str, Show]) -> dict[str, tuple[str, str]]:
    """Ids a refresh changes: old id -> (stable key, new id), for each show (by stable key)
    whose id differs, unless the old id goes on naming some show in the new data."""
    new_ids = {show.uid_key: show.id for show in new.values()}
    renamed = {}
    for show_id, show in old.items():
        now = new_ids.get(show.uid_key)
        if now is not None and now != show_id and show_id not in new:
            renamed[show_id] = (show.uid_key, now)
    return renamed

"""calfeed's own table of streaming sites: names, real regions, and whether their starts are trusted."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..errors import CatalogueError, FileError, ScheduleError
from ..schedule.regions import UnknownRegion, expand_region
from ..schedule.yamlfile import compose_data_file

SITES_FILE = Path(__file__).with_name("sites.yaml")
SITE_KEYS = {"name", "regions", "except", "starts", "timezone"}
STARTS = ("trusted", "copied")


@dataclass(frozen=True)
class Site:
    """One on-air site as calfeed knows it."""

    key: str
    name: str
    regions: frozenset[str]
    starts_trusted: bool   # False: the dataset's start for it is usually the broadcast copied
    timezone: ZoneInfo


def read_sites(path: Path = SITES_FILE) -> dict[str, Site]:
    """The site table, or a CatalogueError naming file, line and what to fix for every problem."""
    root = compose_data_file(path)
    if root is None:
        raise CatalogueError([FileError(str(path), "file is empty: expected a mapping of site keys")])
    if not isinstance(root, yaml.MappingNode):
        raise CatalogueError([ScheduleError(str(path), root.start_mark.line + 1,
                                          root.start_mark.column + 1,
                                          "expected a mapping of site keys")])
    sites, errors = {}, []
    for key_node, value_node in root.value:
        def problem(node, message):
            errors.append(ScheduleError(str(path), node.start_mark.line + 1,
                                        node.start_mark.column + 1, message))
        site = _site(key_node.value, value_node, problem)
        if site:
            sites[site.key] = site
    if errors:
        raise CatalogueError(errors)
    return sites


def _site(key: str, node, problem) -> Site | None:
    if not isinstance(node, yaml.MappingNode):
        problem(node, f"site '{key}': expected {{name, regions, starts, timezone}}")
        return None
    fields = {k.value: v for k, v in node.value}
    for unknown in set(fields) - SITE_KEYS:
        problem(node, f"site '{key}': unknown key '{unknown}'; use {sorted(SITE_KEYS)}")
    missing = SITE_KEYS - {"except"} - set(fields)
    if missing:
        problem(node, f"site '{key}': missing {sorted(missing)}")
        return None
    regions = _regions(fields["regions"], problem) - _regions(fields.get("except"), problem)
    starts = fields["starts"].value
    if starts not in STARTS:
        problem(fields["starts"], f"site '{key}': starts must be one of {STARTS}, not '{starts}'")
    try:
        zone = ZoneInfo(fields["timezone"].value)
    except (ZoneInfoNotFoundError, ValueError):
        problem(fields["timezone"], f"site '{key}': unknown time zone "
                                    f"'{fields['timezone'].value}'; use a tz database name")
        return None
    return Site(key, str(fields["name"].value), regions, starts == "trusted", zone)


def _regions(node, problem) -> frozenset[str]:
    if node is None:
        return frozenset()
    if not isinstance(node, yaml.SequenceNode):
        problem(node, "regions: expected a list of region codes or groups")
        return frozenset()
    codes: set[str] = set()
    for item in node.value:
        try:
            codes |= expand_region(str(item.value))
        except UnknownRegion as exc:
            problem(item, str(exc))
    return frozenset(codes)


@lru_cache(maxsize=1)
def site_table() -> dict[str, Site]:
    """The packaged site table, read once."""
    return read_sites()

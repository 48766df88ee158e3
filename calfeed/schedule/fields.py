"""Reading typed values out of YAML nodes, collecting every problem with its line and column.

Values are read from the nodes' source text, not from PyYAML's constructed values, so that
`NO` stays Norway, `Yes` stays a title and `2024-02-07` stays the text the author wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlsplit

import yaml

from ..errors import ScheduleError
from ..suggest import advise, did_you_mean

_INTEGER = re.compile(r"[-+]?[0-9]{1,12}")
_NULLS = {"", "~", "null", "Null", "NULL"}


MAX_PROBLEMS = 100   # per file: enough to fix, and /healthz and the log stay small


class Problems:
    """The problems found in one file, each tied to the node it is about; past MAX_PROBLEMS
    only counted, so a file of 20,000 mistakes is reported in bounded time and space."""

    def __init__(self, shown_as: str):
        self.path = shown_as
        self.errors: list[ScheduleError] = []
        self.more = 0

    @property
    def full(self) -> bool:
        return len(self.errors) >= MAX_PROBLEMS

    def at(self, node: yaml.Node, message: str) -> None:
        if self.full:
            self.more += 1
            return
        mark = node.start_mark
        self.errors.append(ScheduleError(self.path, mark.line + 1, mark.column + 1, message))

    def all(self) -> list[ScheduleError]:
        """The problems, and a last line saying how many more were found if any were."""
        if not self.full:
            return self.errors
        last = max(self.errors, key=lambda e: (e.line, e.column))   # listed last once sorted
        return [*self.errors, ScheduleError(self.path, last.line, last.column, (
            f"{self.more or 'maybe'} more problems in this file are not listed: fix these "
            "first and check again"))]

    def __bool__(self) -> bool:
        return bool(self.errors)


@dataclass(frozen=True)
class Entry:
    """One key of a mapping, with the nodes of the key and of its value."""

    key: str
    key_node: yaml.Node
    node: yaml.Node


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if is_null(node):
        return "nothing"
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"'{shown}'"


def is_plain(node: yaml.Node) -> bool:
    """An unquoted scalar (libyaml says '' where the pure-Python parser says None)."""
    return isinstance(node, yaml.ScalarNode) and not node.style


def is_null(node: yaml.Node) -> bool:
    return is_plain(node) and node.value in _NULLS


def mapping(node: yaml.Node, what: str, problems: Problems, allowed: Sequence[str] | None,
            required: Sequence[str] = ()) -> dict[str, Entry] | None:
    """The entries of a mapping node; reports a wrong type, duplicates, unknown and missing keys."""
    if not isinstance(node, yaml.MappingNode):
        problems.at(node, f"{what} must be a mapping of keys to values, not {describe(node)}")
        return None
    entries: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        if problems.full:
            break
        if not isinstance(key_node, yaml.ScalarNode):
            problems.at(key_node, f"a key in {what} is {describe(key_node)}: keys are plain words")
            continue
        key = key_node.value
        if key in entries:
            first = entries[key].key_node.start_mark.line + 1
            problems.at(key_node, f"duplicate key '{key}' in {what} (first given on line "
                                  f"{first}): keep only one")
            continue
        if allowed is not None and key not in allowed:
            problems.at(key_node, advise(f"unknown key '{key}'{did_you_mean(key, allowed)}",
                                         f"the keys allowed in {what} are "
                                         f"{', '.join(allowed)}"))
            continue
        entries[key] = Entry(key, key_node, value_node)
    for key in required:
        if key not in entries:
            problems.at(node, f"{what} is missing the required key '{key}'")
    return entries


def sequence(node: yaml.Node, what: str, problems: Problems, *,
             allow_empty: bool = True) -> list[yaml.Node] | None:
    if not isinstance(node, yaml.SequenceNode):
        problems.at(node, f"'{what}' must be a list, not {describe(node)}")
        return None
    if not node.value and not allow_empty:
        problems.at(node, f"'{what}' is empty: give at least one")
        return None
    return list(node.value)


def text(node: yaml.Node, what: str, problems: Problems, *, limit: int = 500) -> str | None:
    """A non-empty single-line-or-more text value, at most `limit` characters."""
    if not isinstance(node, yaml.ScalarNode):
        problems.at(node, f"'{what}' must be text, not {describe(node)}")
        return None
    if is_null(node) or not node.value.strip():
        problems.at(node, f"'{what}' is empty: give a value or leave the key out")
        return None
    if len(node.value) > limit:
        problems.at(node, f"'{what}' is {len(node.value)} characters long, over the limit of "
                          f"{limit}: shorten it")
        return None
    return node.value


def integer(node: yaml.Node, what: str, problems: Problems, low: int, high: int) -> int | None:
    if not is_plain(node) or not _INTEGER.fullmatch(node.value):
        problems.at(node, f"'{what}' must be a whole number from {low} to {high}, "
                          f"not {describe(node)}")
        return None
    value = int(node.value)
    if not low <= value <= high:
        problems.at(node, f"'{what}' is {value}, out of range: use a whole number from "
                          f"{low} to {high}")
        return None
    return value


def choice(node: yaml.Node, what: str, problems: Problems, choices: Sequence[str]) -> str | None:
    value = text(node, what, problems)
    if value is not None and value not in choices:
        problems.at(node, advise(f"'{what}' is '{value}'{did_you_mean(value, choices)}",
                                 f"use one of {', '.join(choices)}"))
        return None
    return value


def parsed(node: yaml.Node, what: str, problems: Problems, parse):
    """A text value run through a parser whose ValueError message is meant for people."""
    value = text(node, what, problems)
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        problems.at(node, f"'{what}': {exc}")
        return None


def web_link(node: yaml.Node, what: str, problems: Problems) -> str | None:
    """An absolute http(s) URL; anything else (javascript:, data:, relative) is refused."""
    value = text(node, what, problems, limit=2000)
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(
            ch.isspace() or ord(ch) < 32 for ch in value.strip()):
        problems.at(node, f"'{what}' must be an http:// or https:// URL, not {describe(node)}")
        return None
    return value.strip()

"""Validation of a show's `releases:` list into Release objects, follows chains resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

import yaml

from . import fields
from .fields import Entry, Problems
from .model import Move, Release
from .regions import GROUPS, UnknownRegion, expand_region
from .zones import UnknownZone, lookup_zone
from .wallclock import LONGEST_OFFSET, parse_cadence, parse_duration, parse_wall_time

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KINDS = ("broadcast", "streaming")
RELEASE_KEYS = ("id", "name", "kind", "regions", "timezone", "start", "every", "skip", "moves",
                "follows", "offset", "url")
OWN_SCHEDULE_KEYS = ("timezone", "start", "every", "skip")
UTC_ZONE = ZoneInfo("UTC")


@dataclass
class Draft:
    """A release read from YAML, with the nodes later checks point back to."""

    release: Release
    node: yaml.Node
    entries: dict[str, Entry]
    move_nodes: dict[int, yaml.Node]


def read_releases(node: yaml.Node, problems: Problems,
                  episode_numbers: range | None) -> tuple[list[Release], dict]:
    """Releases in file order, and where each release's times were stated (for later errors)."""
    items = fields.sequence(node, "releases", problems, allow_empty=False) or []
    drafts: dict[str, Draft] = {}
    # Ids of releases dropped for their own errors: followers of one are not reported again.
    invalid: set[str] = set()
    for item in items:
        draft = _read_release(item, problems, episode_numbers)
        if draft is None:
            invalid.add(_stated_id(item))
            continue
        if draft.release.id in drafts:
            first = drafts[draft.release.id].entries["id"].node.start_mark.line + 1
            problems.at(draft.entries["id"].node, f"duplicate release id '{draft.release.id}' "
                        f"(first used on line {first}): give each release its own id")
            continue
        drafts[draft.release.id] = draft
    _resolve_follows(drafts, problems, invalid)
    if episode_numbers is not None:
        for draft in drafts.values():
            _check_skips(draft, problems, len(episode_numbers))
    where = {(d.release.id, None): d.entries.get("start", Entry("", d.node, d.node)).node
             for d in drafts.values()}
    where.update({(d.release.id, n): move for d in drafts.values()
                  for n, move in d.move_nodes.items()})
    return [d.release for d in drafts.values()], where


def _read_release(node, problems: Problems, episode_numbers: range | None) -> Draft | None:
    entries = fields.mapping(node, "a release", problems, RELEASE_KEYS,
                             required=("id", "name", "kind", "regions"))
    if entries is None or "id" not in entries:
        return None
    before = len(problems.errors)
    get = entries.get
    release_id = fields.text(entries["id"].node, "id", problems)
    if release_id is not None and not SLUG.fullmatch(release_id):
        problems.at(entries["id"].node, f"release id '{release_id}' must be lowercase letters, "
                                        "digits and single hyphens, like 'fuji-tv'")
    name = fields.text(get("name").node, "name", problems) if get("name") else None
    kind = fields.choice(get("kind").node, "kind", problems, KINDS) if get("kind") else None
    regions = _read_regions(get("regions").node, problems) if get("regions") else None
    regions_text = _regions_text(get("regions").node) if regions else ""
    url = fields.web_link(get("url").node, "url", problems) if get("url") else None
    follows = fields.text(get("follows").node, "follows", problems) if get("follows") else None
    values: dict = {}
    if get("follows"):
        for key in OWN_SCHEDULE_KEYS:
            if key in entries:
                problems.at(entries[key].key_node, f"'{key}' cannot be used with 'follows': a "
                            f"following release takes its times from '{follows}'; remove "
                            f"'{key}' or 'follows'")
        if get("offset"):
            values["offset"] = fields.parsed(get("offset").node, "offset", problems,
                                             lambda t: parse_duration(t, signed=True,
                                                                    longest=LONGEST_OFFSET))
    else:
        for key in ("timezone", "start"):
            if key not in entries:
                problems.at(node, f"a release without 'follows' needs '{key}'")
        if get("offset"):
            problems.at(entries["offset"].key_node, "'offset' only goes with 'follows': state "
                        "this release's own 'start' instead, or add 'follows'")
        if get("timezone"):
            values["timezone"] = _read_zone(get("timezone").node, problems)
        if get("start"):
            values["start"] = fields.parsed(get("start").node, "start", problems,
                                            parse_wall_time)
        if get("every"):
            values["every_days"] = fields.parsed(get("every").node, "every", problems,
                                                 parse_cadence)
        if get("skip"):
            values["skip"] = _read_skips(get("skip").node, problems)
    move_nodes: dict[int, yaml.Node] = {}
    if get("moves"):
        values["moves"] = _read_moves(get("moves").node, problems, episode_numbers, move_nodes)
    if len(problems.errors) > before or problems.full or None in values.values():
        return None
    release = Release(id=release_id, name=name, kind=kind, regions=regions,
                      regions_text=regions_text,
                      timezone=values.pop("timezone", UTC_ZONE), url=url, follows=follows,
                      **values)
    return Draft(release, node, entries, move_nodes)


def _read_regions(node: yaml.Node, problems: Problems) -> frozenset[str] | None:
    if isinstance(node, yaml.MappingNode):
        entries = fields.mapping(node, "'regions'", problems, ("include", "exclude"),
                                 required=("include",))
        if not entries or "include" not in entries:
            return None
        include = _region_names(entries["include"].node, "include", problems)
        exclude = (_region_names(entries["exclude"].node, "exclude", problems, allow_empty=True)
                   if "exclude" in entries else frozenset())
    else:
        include, exclude = _region_names(node, "regions", problems), frozenset()
    if include is None or exclude is None:
        return None
    if not include - exclude:
        problems.at(node, "'regions' leaves no country once 'exclude' is taken away")
        return None
    return include - exclude


def _regions_text(node: yaml.Node) -> str:
    """How the schedule names the regions, for messages: 'JP', 'world except asia'."""
    def names(seq: yaml.Node) -> str:
        return ", ".join(n.value.upper() if len(n.value) == 2 else n.value for n in seq.value)
    if isinstance(node, yaml.MappingNode):
        parts = {k.value: v for k, v in node.value}
        return names(parts["include"]) + (f" except {names(parts['exclude'])}"
                                          if "exclude" in parts and parts["exclude"].value else "")
    return names(node)


def _region_names(node, what: str, problems: Problems, allow_empty: bool = False):
    items = fields.sequence(node, what, problems, allow_empty=allow_empty)
    if items is None:
        return None
    codes: set[str] = set()
    ok = True
    for item in items:
        if problems.full:
            return None     # the file is refused anyway; its remaining names cost time only
        name = fields.text(item, what, problems, limit=20)
        try:
            codes |= expand_region(name) if name is not None else set()
        except UnknownRegion as exc:
            problems.at(item, fields.advise(str(exc), "use an ISO 3166-1 alpha-2 code such as "
                                                      f"JP or US, or one of {', '.join(GROUPS)}"))
            name = None
        ok = ok and name is not None
    return frozenset(codes) if ok else None


def _read_zone(node: yaml.Node, problems: Problems) -> ZoneInfo | None:
    name = fields.text(node, "timezone", problems, limit=60)
    if name is None:
        return None
    try:
        return lookup_zone(name)
    except UnknownZone as exc:
        problems.at(node, fields.advise(str(exc), "use an IANA zone name such as Asia/Tokyo "
                                                  "or America/New_York"))
        return None


def _read_skips(node: yaml.Node, problems: Problems) -> tuple[date, ...] | None:
    items = fields.sequence(node, "skip", problems)
    if items is None:
        return None
    days, seen = [], set()   # a set: a list of 40,000 dates is checked in linear time
    for item in items:
        wall = fields.parsed(item, "skip", problems,
                             lambda t: parse_wall_time(t, time_required=False))
        if wall is not None:
            if wall.day in seen:
                problems.at(item, f"skip {wall.day} is listed twice: keep one")
            seen.add(wall.day)
            days.append(wall.day)
    return tuple(days) if len(days) == len(items) else None


def _read_moves(node, problems: Problems, episode_numbers: range | None,
                move_nodes: dict[int, yaml.Node]) -> tuple[Move, ...] | None:
    items = fields.sequence(node, "moves", problems)
    if items is None:
        return None
    moves = []
    for item in items:
        entries = fields.mapping(item, "a move", problems, ("episode", "to"),
                                 required=("episode", "to"))
        if not entries or len(entries) < 2:
            continue
        number = fields.integer(entries["episode"].node, "episode", problems, 0, 100_000)
        to = fields.parsed(entries["to"].node, "to", problems, parse_wall_time)
        if number is None or to is None:
            continue
        if episode_numbers is not None and number not in episode_numbers:
            problems.at(entries["episode"].node, f"move of episode {number}, which this season "
                        f"does not have (episodes {episode_numbers[0]}-{episode_numbers[-1]})")
        elif number in move_nodes:
            problems.at(item, f"episode {number} is moved twice: keep one move")
        else:
            move_nodes[number] = item
            moves.append(Move(number, to))
    return tuple(moves) if len(moves) == len(items) else None


def _stated_id(node: yaml.Node) -> str | None:
    """The `id:` written in a release entry, read leniently (its errors are reported elsewhere)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return value.value
    return None


def _resolve_follows(drafts: dict[str, Draft], problems: Problems, invalid: set) -> None:
    """Check each follows target exists and no chain loops; give followers their leader's zone."""
    for draft in drafts.values():
        target = draft.release.follows
        if target is not None and target not in drafts and target not in invalid:
            problems.at(draft.entries["follows"].node, f"'follows' names '{target}', which is not"
                        f" a release of this show (releases: {', '.join(drafts)})")
    for draft in drafts.values():
        chain = [draft.release.id]
        current = draft.release
        while current.follows in drafts:
            if current.follows in chain:
                loop = " -> ".join(chain[chain.index(current.follows):] + [current.follows])
                problems.at(draft.entries["follows"].node, f"'follows' forms a cycle ({loop}): "
                            "one release in the chain must have its own 'start'")
                break
            chain.append(current.follows)
            current = drafts[current.follows].release
        else:
            if draft.release.follows and current.follows is None:
                draft.release = replace(draft.release, timezone=current.timezone)


def _check_skips(draft: Draft, problems: Problems, count: int) -> None:
    release = draft.release
    if release.start is None or not release.skip:
        return
    skip_nodes = draft.entries["skip"].node.value
    every = release.every_days
    skipped = set(release.skip)
    slots_used, slot = 0, 0
    while slots_used < count:
        slots_used += release.start.plus_days(slot * every).day not in skipped
        slot += 1
    last = release.start.plus_days((slot - 1) * every).day
    for day, node in zip(release.skip, skip_nodes, strict=False):
        offset = (day - release.start.day).days
        if offset < 0 or offset % every:
            example = release.start.plus_days(max(0, offset // every) * every).day
            problems.at(node, f"skip {day} is not a broadcast day of release '{release.id}': "
                        f"its slots fall every {every} days from {release.start.day} "
                        f"(for example {example}), in the same day notation as 'start'")
        elif day > last:
            problems.at(node, f"skip {day} comes after the last episode (on {last}): remove it")

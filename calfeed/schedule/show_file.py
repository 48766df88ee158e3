"""Schedule files to validated shows: every problem of every file reported at once."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import yaml

from . import fields
from ..errors import CatalogueError, ExpansionError, FileError
from .expand import expand_show
from .fields import Problems
from .model import Airing, Episode, Show
from .release_fields import SLUG, read_releases
from .wallclock import FIRST_YEAR, LAST_YEAR, parse_duration
from .yamlfile import read_limited, read_schedule_node

SHOW_KEYS = ("title", "studio", "links", "sources", "ids", "episodes", "releases")
# A show's ids on other sites (bangumi.tv, MyAnimeList, ...): a curated show naming its
# bangumi.tv subject replaces that imported show.
ID_KEYS = ("bangumi", "mal", "anilist", "anidb", "tmdb")
_EXTERNAL_ID = re.compile(r"(?:tv/|movie/)?[0-9]{1,12}")
EPISODE_KEYS = ("count", "first", "duration", "titles")
MAX_EPISODES = 2000
MAX_TITLE = 500  # characters; documented in docs/schedule-format.md
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*")
_LINK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def schedule_files(directory: Path) -> list[Path]:
    """The schedule files of a folder, in a stable order."""
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def read_folder(directory: Path) -> dict[str, bytes]:
    """The bytes of every schedule file in a folder, each read once, by file name.

    Validation, the data version and the last-good snapshot all use these same bytes, so a
    file edited during a load cannot make them disagree.
    """
    if not directory.is_dir():
        raise CatalogueError([FileError(str(directory), "no such folder of schedules: "
                                      "point CALFEED_SCHEDULES_DIR at one")])
    files, errors = {}, []
    for path in schedule_files(directory):
        try:
            files[path.name] = read_limited(path)
        except OSError as exc:
            errors.append(FileError(str(path), f"cannot read the file: {exc.strerror}"))
    if errors:
        raise CatalogueError(errors)
    return files


def read_one_file(path: Path) -> dict[str, bytes]:
    """One schedule file's bytes, keyed as read_folder keys them, for checking a single file."""
    try:
        return {path.name: read_limited(path)}
    except OSError as exc:
        raise CatalogueError([FileError(str(path),
                                      f"cannot read the file: {exc.strerror}")]) from None


def load_shows(directory: Path,
               files: dict[str, bytes] | None = None) -> dict[str, tuple[Show, tuple[Airing, ...]]]:
    """Every show of a folder (or of its files' bytes) with its airings, or a CatalogueError
    with every problem found."""
    files = read_folder(directory) if files is None else files
    shows, errors = {}, []
    for name, data in sorted(files.items()):
        try:
            show, airings = expanded_show(data, directory / name)
        except CatalogueError as exc:
            errors.extend(exc.errors)
        else:
            shows[show.id] = (show, airings)
    if errors:
        raise CatalogueError(errors)
    return shows


def load_show(path: Path, shown_as: str | None = None) -> Show:
    """One validated show from one file; raises CatalogueError with all of the file's problems."""
    try:
        data = read_limited(path)
    except OSError as exc:
        raise CatalogueError([FileError(shown_as or str(path),
                                      f"cannot read the file: {exc.strerror}")]) from None
    return show_from_bytes(data, path, shown_as)


def show_from_bytes(data: bytes, path: Path, shown_as: str | None = None) -> Show:
    """One validated show from a file's bytes; `path` names it (its stem is the show id)."""
    return expanded_show(data, path, shown_as)[0]


def expanded_show(data: bytes, path: Path,
                  shown_as: str | None = None) -> tuple[Show, tuple[Airing, ...]]:
    """A validated show and its airings: validation expands it anyway (to find wall times in a
    DST gap), so the airings come along rather than being worked out twice."""
    shown_as = shown_as or str(path)
    problems = Problems(shown_as)
    # The file's name is no place in it: its problem has no line.
    misnamed = _check_file_name(path)
    named = [FileError(shown_as, misnamed)] if misnamed else []
    try:
        root = read_schedule_node(data, shown_as)
    except FileError as exc:
        raise CatalogueError([exc, *named]) from None
    found = _read_show(path.stem, shown_as, root, problems)
    if problems or named or found is None:
        raise CatalogueError([*named, *problems.all()])
    return found


def _check_file_name(path: Path) -> str | None:
    if path.suffix != ".yaml":
        return f"schedule files end in .yaml: rename {path.name} to {path.stem}.yaml"
    if not SLUG.fullmatch(path.stem):
        suggestion = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "my-show"
        return (f"file name '{path.name}' is not a valid show id: use lowercase letters, digits "
                f"and single hyphens, like '{suggestion}.yaml'")
    return None


def _read_show(show_id: str, shown_as: str, root: yaml.Node,
               problems: Problems) -> tuple[Show, tuple[Airing, ...]] | None:
    top = fields.mapping(root, "the schedule", problems, SHOW_KEYS,
                         required=("title", "episodes", "releases"))
    if top is None:
        return None
    node = {key: entry.node for key, entry in top.items()}
    title = read_titles(node["title"], "title", problems, english_required=True) \
        if "title" in node else None
    studio = fields.text(node["studio"], "studio", problems) if "studio" in node else None
    links = _read_links(node["links"], problems) if "links" in node else {}
    sources = _read_sources(node["sources"], problems) if "sources" in node else ()
    ids = _read_ids(node["ids"], problems) if "ids" in node else {}
    episodes, duration = (_read_episodes(node["episodes"], problems)
                          if "episodes" in node else (None, None))
    numbers = range(episodes[0].number, episodes[-1].number + 1) if episodes else None
    releases, where = (read_releases(node["releases"], problems, numbers)
                       if "releases" in node else ([], {}))
    if problems or not (title and episodes and releases):
        return None
    show = Show(id=show_id, title=title, episodes=episodes, releases=tuple(releases),
                duration=duration, studio=studio, links=links, sources=sources, path=shown_as,
                ids=ids)
    try:
        airings = expand_show(show)
    except ExpansionError as exc:
        problems.at(where.get((exc.release_id, exc.moved_episode)) or root,
                    f"release '{exc.release_id}': {exc.message}; choose a time that exists")
        return None
    for airing in _outside_the_years(airings):
        problems.at(where.get((airing.release.id, None)) or root,
                    f"release '{airing.release.id}': episode {airing.episode.number} would air "
                    f"at {airing.start_utc:%Y-%m-%d %H:%M} UTC, "
                    f"{'before' if airing.start_utc.year < FIRST_YEAR else 'after'} "
                    f"{FIRST_YEAR if airing.start_utc.year < FIRST_YEAR else LAST_YEAR}: calfeed "
                    f"lists broadcasts from {FIRST_YEAR} to {LAST_YEAR}")
    return None if problems else (show, airings)


def _outside_the_years(airings: tuple[Airing, ...]) -> list[Airing]:
    """The first airing of each release that falls outside the years served (in UTC)."""
    outside: dict[str, Airing] = {}
    for airing in airings:
        if not (FIRST_YEAR <= airing.start_utc.year and airing.end_utc.year <= LAST_YEAR):
            outside.setdefault(airing.release.id, airing)
    return list(outside.values())


def read_titles(node: yaml.Node, what: str, problems: Problems, *,
                english_required: bool) -> dict[str, str] | None:
    entries = fields.mapping(node, f"'{what}'", problems, None)
    if entries is None:
        return None
    titles = {}
    for lang, entry in entries.items():
        if not _LANGUAGE.fullmatch(lang):
            problems.at(entry.key_node, f"'{lang}' in '{what}' is not a language tag: use "
                                        "BCP 47 tags such as en, ja or pt-BR")
            continue
        value = fields.text(entry.node, f"{what}.{lang}", problems, limit=MAX_TITLE)
        if value is not None:
            titles[lang] = value
    if english_required and "en" not in entries:
        problems.at(node, f"'{what}' needs an English title under 'en'")
    return titles if len(titles) == len(entries) else None


def _read_links(node: yaml.Node, problems: Problems) -> dict[str, str]:
    entries = fields.mapping(node, "'links'", problems, None) or {}
    links = {}
    for name, entry in entries.items():
        if not _LINK_NAME.fullmatch(name):
            problems.at(entry.key_node, f"link name '{name}' must be a lowercase word such as "
                                        "'official'")
        url = fields.web_link(entry.node, f"links.{name}", problems)
        if url is not None:
            links[name] = url
    return links


def _read_ids(node: yaml.Node, problems: Problems) -> dict[str, str]:
    entries = fields.mapping(node, "'ids'", problems, ID_KEYS) or {}
    ids = {}
    for name, entry in entries.items():
        value = str(getattr(entry.node, "value", ""))
        if not isinstance(entry.node, yaml.ScalarNode) or not _EXTERNAL_ID.fullmatch(value):
            problems.at(entry.node, f"ids.{name} must be the catalogue's number, like 425595 "
                                    "(tmdb: tv/222787)")
            continue
        ids[name] = value
    return ids


def _read_sources(node: yaml.Node, problems: Problems) -> tuple[str, ...]:
    items = fields.sequence(node, "sources", problems) or []
    return tuple(s for s in (fields.text(i, "sources", problems, limit=2000) for i in items) if s)


def _read_episodes(node: yaml.Node, problems: Problems):
    entries = fields.mapping(node, "'episodes'", problems, EPISODE_KEYS, required=("count",))
    if not entries or "count" not in entries:
        return None, None
    count = fields.integer(entries["count"].node, "count", problems, 1, MAX_EPISODES)
    first = (fields.integer(entries["first"].node, "first", problems, 0, 100_000)
             if "first" in entries else 1)
    duration = (fields.parsed(entries["duration"].node, "duration", problems, parse_duration)
                if "duration" in entries else timedelta(minutes=30))
    if duration is not None and not timedelta(minutes=1) <= duration <= timedelta(hours=24):
        problems.at(entries["duration"].node, "'duration' must be between 1 minute and 24 hours")
    if count is None or first is None:
        return None, duration
    numbers = range(first, first + count)
    titles = _read_episode_titles(entries["titles"].node, problems, numbers) \
        if "titles" in entries else {}
    return tuple(Episode(n, titles.get(n, {})) for n in numbers), duration


def _read_episode_titles(node: yaml.Node, problems: Problems, numbers: range) -> dict:
    entries = fields.mapping(node, "'titles'", problems, None) or {}
    titles = {}
    for entry in entries.values():
        number = fields.integer(entry.key_node, "titles", problems, 0, 100_000)
        if number is None:
            continue
        if number not in numbers:
            problems.at(entry.key_node, f"episode {number} has a title, but this season has "
                        f"episodes {numbers[0]}-{numbers[-1]}: fix the number or 'count'")
            continue
        found = read_titles(entry.node, f"titles.{number}", problems, english_required=False)
        if found is not None:
            titles[number] = found
    return titles

"""The whole site as static files, for any static host or CDN, swapped into place atomically.

Every URL is rendered by the app itself (through Flask's test client), so an exported file is
byte for byte what the server would send. Files are written to a hidden folder beside the
target; the target is a symbolic link that one rename (os.replace) points at the new folder,
so a reader sees either the whole old export or the whole new one, never a half-written one.
The URLs are the app's own routes (its URL map), filled in with the data's regions and shows.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import Rule

from ..publish.published import Published
from ..query import values as parse
from ..schedule.regions import countries

# GET routes a static copy cannot stand in for, each with the reason: everything else the app
# answers is exported, so a new route is exported (or refused below) without editing a list.
NOT_EXPORTED = {
    "calfeed.healthz": "the live status of a running server",
    "calendars.new": "a form that posts to the server",
    "calendars.shows_json": "answers what a person types in the form: a static copy has none",
    "my_calendar.mine": "says what this browser's calendar holds, from its cookie",
    "catalogue.search_page": "answers what a person types: a static copy has no answer",
    "catalogue.search_json": "answers what a person types: a static copy has no answer",
    "api.search": "answers what a client asks for (q): a static copy has no answer",
}
# Routes the server answers a page at a time, by the list each page holds. A static host
# answers no query string (`?after=`), so the export writes every page's items as one file,
# with no `next`: the one file that is not byte for byte a server answer.
PAGED = {"api.shows": "shows"}
# Route arguments that are secrets of one person's calendar: their routes are never exported.
SECRET_ARGUMENTS = frozenset({"edit_key", "feed_id"})


class ExportError(ValueError):
    """An export that cannot be written where it was asked for."""


def exported_rules(app: Flask) -> list[Rule]:
    """The app's GET routes that an export writes: not excluded, no secret in their path."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or ()) and rule.endpoint not in NOT_EXPORTED
                   and not rule.arguments & SECRET_ARGUMENTS),
                  key=lambda rule: rule.rule)


def export_paths(app: Flask, published: Published,
                 regions: Iterable[str] | None = None) -> list[str]:
    """Every URL path of the site (optionally only some regions' feeds), in a stable order:
    each exported route of the app's URL map with every value its arguments take."""
    wanted = {parse.region(r).code for r in regions} if regions else set(countries())
    urls = app.url_map.bind("localhost")
    paths = []
    for rule in exported_rules(app):
        for values in _route_values(app, rule, published, wanted):
            paths.append(urls.build(rule.endpoint, values, method="GET"))
    return paths


def _route_values(app: Flask, rule: Rule, published: Published,
                  wanted: set[str]) -> list[dict[str, str]]:
    """The argument values of a route that the site has: its regions, shows, static files."""
    shows = published.catalogue.shows.values()
    arguments = frozenset(rule.arguments)
    if not arguments:
        return [{}]
    if arguments == {"region_code"}:
        return [{"region_code": code.lower()} for code in sorted(wanted)]
    if arguments == {"show_id"}:
        return [{"show_id": show.id} for show in shows]
    if arguments == {"region_code", "show_id"}:
        return [{"region_code": code.lower(), "show_id": show.id}
                for show in shows for code in sorted(show.regions & wanted)]
    if arguments == {"slug"} and rule.endpoint == "catalogue.season_page":
        from ..index.season import SeasonIndex
        return [{"slug": season.slug}
                for season in SeasonIndex.build(published.catalogue.shows).seasons()]
    if arguments == {"filename"} and rule.endpoint == "static":
        folder = Path(app.static_folder)
        return [{"filename": path.relative_to(folder).as_posix()}
                for path in sorted(folder.rglob("*")) if path.is_file()]
    raise ExportError(f"route {rule.rule} takes {', '.join(sorted(arguments))}: the export "
                      "does not know which values to write; teach export._route_values, or "
                      "list the route in export.NOT_EXPORTED with the reason")


def file_for(root: Path, path: str, folders: frozenset[str] = frozenset()) -> Path:
    """Where a URL path lives in an export: the same path; a path that is also a folder
    (/, /api/v1/shows) as the index file inside it, which the shipped nginx config tries."""
    if path == "/" or path in folders:
        index = "index.json" if path.startswith("/api/") else "index.html"
        return root / path.strip("/") / index
    return root / path.lstrip("/")


def folder_paths(paths: list[str]) -> frozenset[str]:
    """The paths that other paths continue: /api/v1/shows before /api/v1/shows/<show>."""
    prefixes = {p.rsplit("/", 1)[0] for p in paths}
    return frozenset(p for p in paths if p in prefixes)


def export_site(app: Flask, published: Published, target: Path, *, base_url: str,
                regions: Iterable[str] | None = None,
                progress: Callable[[list[str]], Iterable[str]] = lambda paths: paths) -> int:
    """Write the site under `target` (a symbolic link to the newest build); return file count."""
    target = Path(os.path.abspath(target))
    if target.exists() and not target.is_symlink():
        raise ExportError(f"{target} exists and is not a calfeed export (a symbolic link to "
                          "one): remove it or export somewhere else")
    target.parent.mkdir(parents=True, exist_ok=True)
    build = target.parent / f".{target.name}.{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    build.mkdir()
    paths = export_paths(app, published, regions)
    folders = folder_paths(paths)
    client = app.test_client()
    urls = app.url_map.bind("localhost")
    paged = {urls.build(endpoint, method="GET"): key for endpoint, key in PAGED.items()
             if endpoint in app.view_functions}
    try:
        for path in progress(paths):
            response = _fetched(client, path, base_url)
            destination = file_for(build, path, folders)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(_every_page(client, response, paged[path], base_url)
                                    if path in paged else response.get_data())
            modified = response.headers.get("Last-Modified")
            if modified:
                # A static server's Last-Modified (and nginx's ETag) comes from the file time.
                stamp = parsedate_to_datetime(modified).timestamp()
                os.utime(destination, (stamp, stamp))
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    _swap_in(build, target)
    return len(paths)


def _fetched(client, url: str, base_url: str):
    response = client.get(url, base_url=base_url)
    if response.status_code != 200:
        raise ExportError(f"{url} answered {response.status_code}: "
                          f"{response.get_data(as_text=True)[:200]}")
    return response


def _every_page(client, first, key: str, base_url: str) -> bytes:
    """The first page's document holding the items of every page, written as the API writes
    its documents (insertion order, UTF-8, a final newline)."""
    document = first.get_json()
    url = document["next"]
    while url:
        page = _fetched(client, _in_app(url, base_url), base_url).get_json()
        document[key] += page[key]
        url = page["next"]
    document["next"] = None
    return json.dumps(document, ensure_ascii=False).encode() + b"\n"


def _in_app(url: str, base_url: str) -> str:
    """The path and query the test client asks for, of an absolute URL the app wrote: under a
    base URL with a path (https://example.org/calfeed) that path is the app's root, which the
    client adds again from base_url."""
    parts, root = urlsplit(url), urlsplit(base_url).path.rstrip("/")
    path = parts.path[len(root):] if parts.path.startswith(root + "/") else parts.path
    return f"{path}?{parts.query}" if parts.query else path


def _swap_in(build: Path, target: Path) -> None:
    link = target.parent / f".{target.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(build.name)
    os.replace(link, target)     # the one atomic step
    # Our older builds, and any left by an interrupted export, are no longer served. (Only
    # our own hidden siblings: one export at a time per target.)
    for stale in target.parent.glob(f".{target.name}.*"):
        if stale != build and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)

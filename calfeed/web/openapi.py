"""The OpenAPI 3.1 description of /api/v1, generated from the routes and their declarations.

Paths come from the app's URL map and each route's query parameters from the declaration the
route reads its request with (web/params.py `takes`), described in query/parameters.py: a
route or parameter added without a description fails at once instead of drifting.
"""

from __future__ import annotations

from flask import Flask

from ..publish.catalogue import Catalogue
from ..schedule.regions import countries
from ..query.parameters import PARAMETERS
from ..query.schedule import title_languages
from ..schedule.zones import zone_names
from .params import declaration_of

PREFIX = "/api/v1"
NULLABLE_TEXT = {"type": ["string", "null"]}
TEXT_BY_LANGUAGE = {"type": "object", "additionalProperties": {"type": "string"}}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "code", "message"],
        "properties": {"status": {"type": "integer"},
                       "code": {"enum": ["invalid_parameter", "not_found",
                                         "method_not_allowed", "bad_request",
                                         "internal_error"]},
                       "parameter": {"type": "string"}, "message": {"type": "string"}}}}},
    "Region": {"type": "object",
               "required": ["code", "name", "display_zone", "show_count", "url"],
               "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                              "name": {"type": "string"}, "display_zone": NULLABLE_TEXT,
                              "show_count": {"type": "integer", "minimum": 0},
                              "url": {"type": "string",
                                      "description": "this region's document"}}},
    "Release": {"type": "object", "required": ["id", "name", "kind", "url", "regions",
                                               "regions_text", "precision"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                               "precision": {"enum": ["timed", "dated", "listed"],
                                             "description": "timed: each airing's instant "
                                             "is known; dated: its day only; listed: the "
                                             "show is on this platform, no dates are known "
                                             "(it has no airings)"},
                               "kind": {"enum": ["broadcast", "streaming", "release"]},
                               "url": NULLABLE_TEXT, "regions_text": {"type": "string"},
                               "regions": {"type": "array", "items": {"type": "string"}}}},
    "Show": {"type": "object",
             "required": ["id", "title", "derived_titles", "ids", "studio", "links", "sources", "episodes",
                          "releases", "feeds"],
             "properties": {
                 "id": {"type": "string"}, "title": TEXT_BY_LANGUAGE,
                 "derived_titles": {
                     "type": "array", "items": {"type": "string"},
                     "description": "languages of `title` that calfeed made rather than read "
                                    "from a source: an English title for a sequel the dataset "
                                    "names only in Japanese, from its series' title and the "
                                    "season its Japanese title names ('Frieren: Beyond "
                                    "Journey's End Season 2'), or a season or year added to "
                                    "tell apart shows that share an English title"},
                 "ids": {"type": "object", "additionalProperties": {"type": "string"},
                         "properties": {key: {"type": "string"} for key in
                                        ("bangumi", "mal", "anilist", "anidb", "tmdb")},
                         "description": "The show's ids in other catalogues, where known: "
                                        "bangumi (bangumi.tv subject), mal (MyAnimeList), "
                                        "anilist, anidb, tmdb ('tv/222787')"},
                 "studio": NULLABLE_TEXT,
                 "links": TEXT_BY_LANGUAGE,
                 "sources": {"type": "array", "items": {"type": "string"}},
                 "episodes": {"type": "object", "required": ["count", "first", "by_date",
                                                             "duration_minutes"],
                              "properties": {"count": {"type": "integer"},
                                             "first": {"type": ["integer", "null"],
                                                       "description": "null for episodes "
                                                       "known by their date"},
                                             "by_date": {"type": "boolean", "description":
                                                 "the episodes are known by their date, not "
                                                 "a number (an imported long runner)"},
                                             "duration_minutes": {"type": "integer"}}},
                 "releases": {"type": "array", "items": {"$ref": "#/components/schemas/Release"}},
                 "feeds": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "feed URL for each region code it can be watched in"}}},
    "Provenance": {
        "type": "object", "required": ["kind", "source", "sources", "notes", "time_known", "text"],
        "description": "Where the airing's time comes from",
        "properties": {
            "kind": {"enum": ["curated", "dataset", "inferred"],
                     "description": "curated: a calfeed schedule file, checked against its "
                                    "sources; dataset: an imported catalogue as it is, not "
                                    "verified; inferred: a time the import had to guess (a "
                                    "start copied from the broadcast, an open end, numbering "
                                    "that cannot know break weeks): tentative"},
            "source": {"type": "string", "description": "the schedule file's name, or the "
                                                        "dataset and its version"},
            "sources": {"type": "array", "items": {"type": "string"},
                        "description": "the show's sources"},
            "notes": {"type": "array", "items": {"type": "string"},
                      "description": "why an inferred time is a guess"},
            "time_known": {"type": "boolean", "description": "false: the release gives "
                                                             "days, not times"},
            "text": {"type": "string", "description": "the same in plain English"}}},
    "Airing": {"type": "object",
               "required": ["show_id", "show_title", "episode", "episode_date",
                            "episode_title", "release_id", "release_name", "release_kind",
                            "time_known", "date", "start", "end", "start_utc", "zone",
                            "zone_abbreviation", "moved", "delayed", "provenance", "uid",
                            "feed_url"],
               "properties": {
                   "show_id": {"type": "string"}, "show_title": {"type": "string"},
                   "episode": {"type": ["integer", "null"], "description":
                               "null for an episode known by its date (episode_date): an "
                               "imported long runner, whose weekly count across years of "
                               "breaks is no episode number"},
                   "episode_date": {"type": ["string", "null"], "format": "date"},
                   "episode_title": NULLABLE_TEXT,
                   "release_id": {"type": "string"}, "release_name": {"type": "string"},
                   "release_kind": {"enum": ["broadcast", "streaming", "release"]},
                   "time_known": {"type": "boolean", "description":
                                  "false: the data gives the day only; start, end and "
                                  "start_utc are then null, never a made-up time"},
                   "date": {"type": "string", "format": "date", "description":
                            "the day of the start in `zone`, or the day the data gives"},
                   "start": {"type": ["string", "null"], "format": "date-time"},
                   "end": {"type": ["string", "null"], "format": "date-time"},
                   "start_utc": {"type": ["string", "null"], "format": "date-time"},
                   "zone": {"type": "string"},
                   "zone_abbreviation": {"type": ["string", "null"]},
                   "moved": {"type": "boolean"}, "delayed": {"type": "boolean"},
                   "provenance": {"$ref": "#/components/schemas/Provenance"},
                   "uid": {"type": "string", "description":
                           "this airing's own id (show, episode, release), the UID of its "
                           "event in feeds with releases=all; other feeds give one event per "
                           "episode and region, whose UID names the region "
                           "(docs/design.md, \"Event identity\")"},
                   "feed_url": {**NULLABLE_TEXT, "description":
                                "the feed this airing appears in. /api/v1/schedule with a "
                                "region: the show's feed there. /api/v1/shows/{show}: the "
                                "show's feed in `region` (or, without it, in the one region "
                                "the airing's release is watchable in) when the airing is its "
                                "episode's earliest there, which that feed holds by default; "
                                "else that feed with ?release= its release. null where no one "
                                "region is named (a stream watchable in many countries is in "
                                "a feed of each: ask with region) or the release cannot be "
                                "watched in the region asked for"}}},
}


def _list_of(name: str, key: str) -> dict:
    return {"type": "object", "required": [key],
            "properties": {key: {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}}}


# Present in a document that holds imported data, absent otherwise (render/attribution.py).
ATTRIBUTION = {"$ref": "#/components/schemas/Attribution"}

SCHEMAS.update({
    "Attribution": {
        "type": "object", "description": "Credit for imported data, as its licence (CC BY 4.0) "
                                         "asks; present only in documents that hold some",
        "required": ["title", "creator", "source", "license", "license_url", "changes"],
        "properties": {"title": {"type": "string", "description": "the dataset and version"},
                       "creator": {"type": "string"}, "source": {"type": "string"},
                       "license": {"type": "string"}, "license_url": {"type": "string"},
                       "changes": {"type": "string", "description": "what calfeed changed"}}},
    "RegionList": _list_of("Region", "regions"),
    "RegionDetail": {"allOf": [
        {"$ref": "#/components/schemas/Region"},
        {"type": "object", "required": ["shows"], "properties": {"shows": {
            "type": "array", "items": {"type": "string"},
            "description": "ids of the shows watchable there, in order"}}}]},
    "ShowList": {"type": "object", "required": ["total", "shows", "next"], "properties": {
        "total": {"type": "integer", "description": "shows in the catalogue, on all pages"},
        **_list_of("Show", "shows")["properties"],
        "next": {**NULLABLE_TEXT, "description": "the next page's URL (also the Link header, "
                                                 "rel=next); null on the last page"},
        "attribution": ATTRIBUTION}},
    "ShowDetail": {"type": "object", "required": ["show", "airings"], "properties": {
        "show": {"$ref": "#/components/schemas/Show"},
        "airings": {"type": "array", "items": {"$ref": "#/components/schemas/Airing"}},
        "attribution": ATTRIBUTION}},
    "Schedule": {"type": "object", "required": ["region", "tz", "from", "to", "airings"],
                 "properties": {"region": NULLABLE_TEXT, "tz": {"type": "string"},
                                "from": {"type": "string", "format": "date-time"},
                                "to": {"type": "string", "format": "date-time"},
                                "airings": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Airing"}},
                                "note": {"type": "string", "description": (
                                    "Why no airing is listed, when the imported schedule "
                                    "data ends before the window")},
                                "attribution": ATTRIBUTION}},
    "OpenAPI": {"type": "object", "required": ["openapi", "paths"]},
    "SearchResults": {
        "type": "object", "required": ["query", "region", "release", "total", "shows"],
        "properties": {
            "query": {"type": "string"}, "region": NULLABLE_TEXT, "release": NULLABLE_TEXT,
            "total": {"type": "integer", "minimum": 0,
                      "description": "shows found, of which the first `limit` are listed"},
            "shows": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
            "attribution": ATTRIBUTION}},
    "SearchHit": {
        "type": "object", "required": ["id", "title", "derived_titles", "season", "url",
                                       "watchable", "releases"],
        "properties": {
            "id": {"type": "string"}, "title": TEXT_BY_LANGUAGE,
            "derived_titles": {"type": "array", "items": {"type": "string"}},
            "season": {**NULLABLE_TEXT, "description": "the show's season, as /seasons/{slug} "
                                                       "names it (2023-fall)"},
            "url": {"type": "string", "description": "the show's document in this API"},
            "watchable": {"type": ["boolean", "null"],
                          "description": "whether it can be watched in the region asked "
                                         "for; null without region"},
            "releases": {"type": "array", "items": {"type": "string"},
                         "description": "the platforms showing it in that region"}}},
})

# Each API route: (summary, response schema, path parameters); its query parameters are those
# its view declares.
OPERATIONS = {
    "/regions": ("Every region: code, name, display zone, how many shows are watchable "
                 "there and the URL of the region's document",
                 "RegionList", ()),
    "/shows": ("The shows, a page at a time in the order of their ids, with titles, releases "
               "and their feed URL in each region",
               "ShowList", ()),
    "/regions/{region}": ("One region with the ids of the shows watchable there",
                          "RegionDetail", ("region",)),
    "/shows/{show}": ("One show with every airing of every release", "ShowDetail",
                      ("show",)),
    "/schedule": ("Airings in a window, ordered by start, then show, then episode", "Schedule", ()),
    "/search": ("Shows whose titles (any language, kana or romaji as typed), short names or "
                "series' titles hold q, best first, as the /search page finds them: a season "
                "named in q first ('frieren season 2'), then a whole title, a title's start, "
                "inside one; series before films; newer first. With region, the shows "
                "watchable there first, and release keeps only those a platform shows there",
                "SearchResults", ()),
    "/openapi.json": ("This description", "OpenAPI", ()),
}

# Query parameters a route cannot do without (the others all have defaults).
REQUIRED = {"/search": ("q",)}

# Show ids as a pattern with a few examples: listing the catalogue's 8,500 ids (twice) made
# the description 565 KB, slow for client generators and validators. Another case, a stable
# key (bgm425595) or an old id redirects (301); an unknown id is a 404.
SHOW_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{0,249}$"}


def _show_id(catalogue: Catalogue) -> dict:
    return {**SHOW_ID, "examples": sorted(catalogue.shows)[:3]}


def api_paths(app: Flask) -> list[str]:
    """The API's routes as OpenAPI paths ('/shows/<show_id>' -> '/shows/{show}')."""
    return sorted(api_routes(app))


def api_routes(app: Flask) -> dict[str, tuple[str, ...]]:
    """Each API route's OpenAPI path and the query parameters its view declares."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = rule.rule[len(PREFIX):]
            for argument in rule.arguments:
                name = {"show_id": "show", "region_code": "region"}.get(argument, argument)
                path = path.replace(f"<{argument}>", "{" + name + "}")
            declaration = declaration_of(app.view_functions[rule.endpoint])
            if declaration is None:
                raise LookupError(f"the API route {rule.rule} declares no parameters: decorate "
                                  "its view with web.params.takes")
            routes[path] = declaration.names
    return routes


def parameter_schemas(catalogue: Catalogue) -> dict[str, dict]:
    """PARAMETERS with the values this data accepts: the description is exact, so a value it
    allows is a value the API takes."""
    release_ids = sorted({r.id for s in catalogue.shows.values() for r in s.releases})
    one_release = "(" + "|".join(release_ids) + ")"
    codes = sorted(countries())
    exact = {
        "region": {"type": "string", "enum": codes + [c.lower() for c in codes]},
        "tz": {"type": "string", "enum": list(zone_names())},
        "show": {"type": "array", "items": _show_id(catalogue), "uniqueItems": True},
        "release": ({"type": "string", "pattern": f"^{one_release}(,{one_release})*$"}
                    if release_ids else {"type": "string", "not": {}}),
        "lang": {"type": "string", "enum": title_languages(dict(catalogue.shows))},
    }
    return {name: {"description": spec.description, "schema": exact.get(name, spec.schema),
                   **({"style": "form", "explode": True} if spec.repeatable else {})}
            for name, spec in PARAMETERS.items()}


def openapi_document(app: Flask, catalogue: Catalogue) -> dict:
    parameter = parameter_schemas(catalogue)
    paths = {}
    for path, query in sorted(api_routes(app).items()):
        summary, schema, in_path = OPERATIONS[path]   # KeyError: undocumented route
        # Path values as their canonical URLs write them (another case redirects).
        values = {"show": _show_id(catalogue),
                  "region": {"type": "string", "enum": [c.lower() for c in sorted(countries())]}}
        parameters = [{"name": name, "in": "path", "required": True, "schema": values[name]}
                      for name in in_path]
        parameters += [{"name": name, "in": "query", "required": name in REQUIRED.get(path, ()),
                        **parameter[name]} for name in query]
        paths[PREFIX + path] = {"get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "OK", "headers": {
                    "ETag": {"schema": {"type": "string"}},
                    "Last-Modified": {"schema": {"type": "string"}},
                    "Cache-Control": {"schema": {"type": "string"}},
                    **({"Link": {"description": "the next page, rel=\"next\" (RFC 8288); "
                                                "absent on the last page",
                                 "schema": {"type": "string"}}} if path == "/shows" else {})},
                    "content": {"application/json": {"schema": {
                        "$ref": f"#/components/schemas/{schema}"}}}},
                "301": {"description": "Moved permanently to the canonical URL (an id or "
                                       "region in another case, a show's old id), the query "
                                       "kept; Location names it"},
                "304": {"description": "Not modified (If-None-Match or If-Modified-Since)"},
                "400": _error("Invalid parameter; the error names it"),
                "404": _error("Unknown show, region or path (a query parameter naming an unknown"
                              " show or region is named in the error)"),
                "405": _error("Only GET and HEAD are allowed"),
                "default": _error("Any other error, in the same shape"),
            }}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "calfeed API", "version": "1",
                 "description": "Anime release schedules: the exact instant each episode can be "
                                "watched, by region. Public data; no authentication."},
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}

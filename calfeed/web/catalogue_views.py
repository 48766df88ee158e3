"""Pages that find any show: what airs now (/), seasons (/seasons/2024-winter), search (/search)."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, current_app, render_template, url_for

from . import state
from ..errors import NotFound
from ..index.catalogue_indexes import indexes, platforms_in
from ..publish.selection import region_window
from ..index.on_air import on_air
from ..render.page_values import display_title, search_results, show_cards, upcoming_first
from ..index.search import MAX_QUERY
from ..render.data_end import ended_before
from ..index.season import NotASeason, parse_season, season_of, season_start
from ..index.title_keys import warm_reader
from ..query.parameter_error import ParameterError
from ..query.values import check_releases
from .page_cache import chosen_region, whole_response
from .params import Values, moved_to, takes
from .responses import cacheable
from .page_words import page_language
from .pages import names_language, page, page_region, picker

catalogue = Blueprint("catalogue", __name__)
SEARCH_LIMIT = 50           # results a page lists; the count says how many more there are
RECENT_SEASONS = 8          # seasons the front page links to; /seasons lists every one


@catalogue.get("/")
@whole_response(chosen_region)
@takes("region", "lang", page=True)
def front_page(args: Values) -> Response:
    """The current season's shows watchable in the region, by next airing, and the shows of
    any earlier season still on air there (a long runner began decades ago); then links to the
    other seasons."""
    region = page_region(args)
    published, now = state.current(), state.now()
    seasons = catalogue_indexes(published).seasons.get()
    current = season_of(now)
    words = page_language()
    this = upcoming_first(show_cards(published, region, now,
                                     _watchable(published, seasons, current, region),
                                     words=words))
    return page(render_template(
        "index.html", region=region, **picker(args), season=current, cards=this,
        continuing=upcoming_first(_still_on_air(published, seasons, current, region, now,
                                                words)),
        platforms=platforms_in(published, region.code),
        nearby=_nearby_seasons(published, seasons, current, region),
        # Said when this season is empty: the catalogue ends where its newest data does.
        newest=seasons.seasons()[-1] if seasons.by_season else None,
        import_version=published.catalogue.import_version,
        data_end=None if this else ended_before(published, season_start(current), words)))


def _still_on_air(published, seasons, current, region, now, words: str = "en") -> list:
    """Cards of the shows watchable in the region that began before `current` and have an
    episode to come in the region feed's window: cheap bounds first, then that window alone."""
    airing = on_air(published, region, now, published.catalogue.shows_in(region.code))
    earlier = [show for show in airing if (season := seasons.season.get(show.id)) is not None
               and season < current]
    return [card for card in show_cards(published, region, now, earlier, region_window(now),
                                        words)
            if card.next_airing]


@catalogue.get("/seasons")
@whole_response(chosen_region)
@takes("region", "lang", page=True)
def all_seasons(args: Values):
    region = page_region(args)
    published = state.current()
    seasons = catalogue_indexes(published).seasons.get()
    counts = _counts(published, seasons, region)
    years: dict[int, list] = {}
    # Only seasons with a show watchable in the region: a link to an empty list helps no one.
    for season in reversed(seasons.seasons()):
        if counts.get(season, 0):
            years.setdefault(season.year, []).append((season, counts[season]))
    return page(render_template("seasons.html", region=region, **picker(args),
                                years=years, current=season_of(state.now())))


@catalogue.get("/seasons/<slug>")
@whole_response(chosen_region)
@takes("region", "lang", page=True)
def season_page(slug: str, args: Values):
    try:
        season, canonical = parse_season(slug)
    except NotASeason as exc:
        raise NotFound(str(exc)) from None
    if not canonical:
        # autumn is fall, WINTER is winter: one address per season, the query kept.
        moved_to(url_for(".season_page", slug=season.slug))
    region = page_region(args)
    published, now = state.current(), state.now()
    seasons = catalogue_indexes(published).seasons.get()
    ids = seasons.by_season.get(season, ())
    shows = published.catalogue.shows
    here = [shows[i] for i in ids if region.code in shows[i].regions]
    elsewhere = [shows[i] for i in ids if region.code not in shows[i].regions]
    return page(render_template(
        "season.html", region=region, **picker(args), season=season,
        data_end=None if here else ended_before(published, season_start(season),
                                                page_language()),
        cards=show_cards(published, region, now, here, words=page_language()),
        elsewhere=elsewhere,
        previous=season.plus(-1), next=season.plus(1), current=season_of(now),
        display_title=display_title))


@catalogue.get("/search")
@whole_response(chosen_region)
@takes("q", "region", "release", "lang", page=True)
def search_page(args: Values):
    region, query, release, results, total = _search(args)
    published = state.current()
    return page(render_template(
        "search.html", region=region, **picker(args), q=query, release=release,
        platforms=platforms_in(published, region.code), results=results, total=total))


@catalogue.get("/search.json")
@whole_response(chosen_region)
@takes("q", "region", "release", "lang", page=True)
def search_json(args: Values):
    """The same search for the page's script, which lists results as a person types; the
    region named in the page's language."""
    region, query, release, results, total = _search(args)
    body = {"query": query, "region": region.code,
            "region_name": region.name_in(names_language(args)),
            "release": release, "total": total,
            "shows": [{"id": r.show.id, "title": r.title, "title_ja": r.title_ja,
                       "season": r.season, "url": url_for("calfeed.show_page", show_id=r.show.id,
                                                          region=region.code.lower()),
                       "watchable": r.watchable, "releases": list(r.releases_here)}
                      for r in results]}
    response = cacheable((json.dumps(body, ensure_ascii=False) + "\n").encode(),
                         "application/json",
                         max_age=current_app.config["PAGE_MAX_AGE_SECONDS"], last_modified=None)
    response.vary.add("Accept-Language")
    return response


def _search(args: Values):
    region = page_region(args)
    query = args.get("q", "")
    if len(query) > MAX_QUERY:
        raise ParameterError("q", f"q is {len(query)} characters long: give at most "
                                  f"{MAX_QUERY}, a part of a title is enough")
    published = state.current()
    release = args.get("release")
    if release is not None and release not in {p.id for p in platforms_in(published,
                                                                           region.code)}:
        # The same refusal, worded the same, as feeds and the API give (one parser).
        check_releases(frozenset({release}), tuple(published.catalogue.shows.values()), region)
    found = catalogue_indexes(published)
    hits = found.search.get().search(query) if query else []
    results, total = search_results(hits, region, release, found.seasons.get(), SEARCH_LIMIT,
                                    page_language())
    return region, query, release, results, total


def catalogue_indexes(published, app: Flask | None = None):
    """The data version's season and search indexes (the API's search uses the same)."""
    return indexes(published, state.service(app).readings)


def _watchable(published, seasons, season, region):
    shows = published.catalogue.shows
    return [shows[i] for i in seasons.by_season.get(season, ())
            if region.code in shows[i].regions]


def _counts(published, seasons, region) -> dict:
    """Shows watchable in the region per season, worked out once per data version."""
    def make():
        shows = published.catalogue.shows
        return {season: sum(region.code in shows[i].regions for i in ids)
                for season, ids in seasons.by_season.items()}
    return published.memo(("season-counts", region.code), make)


def _nearby_seasons(published, seasons, current, region) -> list:
    """The next season and the ones before the current, with their counts in the region:
    those with a show there, and the current season whatever its count."""
    counts = _counts(published, seasons, region)
    return [(season, counts.get(season, 0))
            for season in (current.plus(1 - k) for k in range(RECENT_SEASONS + 1))
            if counts.get(season) or season == current]


def init_app(app: Flask) -> None:
    app.register_blueprint(catalogue)

    # Built before a version is served, at start and at each reload (beside serving, in the
    # reloader's thread): the first search, week page or calendar form after a start found
    # them unbuilt and waited 4 s or more (docs/benchmarks.md).
    def seasons(published) -> None:
        catalogue_indexes(published, app).seasons.get()

    # The search index too, now that the titles' readings are kept per dataset version: some
    # 0.4 s more before the first answer, where built beside them a search that came first
    # waited as long or longer (over 0.5 s under load). Then, beside the first answers, the
    # reader of Japanese queries, which nothing else may load once the readings are kept.
    def search(published) -> None:
        catalogue_indexes(published, app).search.get()
    state.service(app).prepare_with(seasons)
    state.service(app).prepare_with(search)
    state.service(app).prepare_with(lambda _published: warm_reader(), at_start_beside=True)
    # The pages' templates compiled now too (some 50 ms each at first use), not by the first
    # request for each page.
    for name in app.jinja_env.list_templates(extensions=("html",)):
        app.jinja_env.get_template(name)

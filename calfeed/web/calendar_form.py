"""The my-calendar form read into stored choices: region, shows, per-show releases, lang, alarm."""

from __future__ import annotations

from ..publish.catalog import Catalog
from ..query import values as parse
from ..query.errors import ParameterError
from ..query.feed import languages as languages_of
from ..suggest import advise, did_you_mean, quoted

FORM_FIELDS = ("region", "show", "release", "lang", "alarm", "csrf_token")
EARLIEST = "earliest"


def read_form(lists: dict[str, list[str]], catalog: Catalog) -> dict:
    """Choices to store: {"region", "shows": {show id: [release ids] or None}, "lang", "alarms"}.

    `release` is repeatable: `SHOW:RELEASE` chooses a release for one show (ignored when that
    show is not chosen), a bare release id chooses it for every show that has it in the region,
    `earliest` or `SHOW:earliest` (or nothing) keeps the earliest watchable airing.
    """
    for name in lists:
        if name not in FORM_FIELDS:
            raise ParameterError(name[:60], advise(f"unknown field {quoted(name)}"
                                              f"{did_you_mean(name, FORM_FIELDS)}",
                                              f"this form takes {', '.join(FORM_FIELDS)}"))
    region_code = _one(lists, "region")
    if not region_code:
        raise ParameterError("region", "choose a region (an ISO 3166-1 code such as us or jp)")
    region = parse.region(region_code)
    shows = {}
    for given in (s.strip() for s in lists.get("show", []) if s.strip()):
        show = catalog.show(parse.show_id(given, catalog.shows))
        if region.code not in show.regions:
            raise ParameterError("show", f"{show.name()} cannot be watched in {region.name}: "
                                         "remove it or choose another region")
        shows[show.id] = None
    if not shows:
        raise ParameterError("show", "choose at least one show")
    for text in (r.strip() for r in lists.get("release", []) if r.strip()):
        _choose_release(text, shows, catalog, region)
    lang, alarm = _one(lists, "lang"), _one(lists, "alarm")
    chosen = tuple(catalog.show(s) for s in shows)
    return {"region": region.code,
            "lang": parse.lang(lang, languages_of(chosen), "these titles") if lang else None,
            "alarms": list(parse.alarms(alarm)) if alarm else [],
            "shows": {s: sorted(r) if r is not None else None for s, r in shows.items()}}


def _choose_release(text: str, shows: dict, catalog: Catalog, region) -> None:
    if text == EARLIEST:
        return
    show_id, _, release_id = text.rpartition(":")
    targets = [show_id] if show_id else list(shows)
    # The form sends a choice for every show listed, chosen or not: only the chosen count.
    if (show_id and show_id not in shows) or release_id == EARLIEST:
        return
    # The same check and message as feeds and the API (query/values.check_releases): one
    # show's release must be watchable here; a release for all shows, in one of them.
    chosen = tuple(catalog.show(target) for target in targets)
    parse.check_releases(frozenset({release_id}), chosen, region)
    for target, show in zip(targets, chosen, strict=True):
        if any(r.id == release_id and r.watchable_in(region.code) for r in show.releases):
            shows[target] = (shows[target] or set()) | {release_id}


def _one(lists: dict[str, list[str]], name: str) -> str:
    given = [v.strip() for v in lists.get(name, []) if v.strip()]
    if len(given) > 1:
        raise ParameterError(name, f"field '{name}' is given {len(given)} times: give it once")
    return given[0] if given else ""

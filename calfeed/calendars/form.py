"""The my-calendar form read into stored choices: region, shows, per-show releases, lang, alarm."""

from __future__ import annotations

from ..publish.catalogue import Catalogue
from ..query import values as parse
from ..query.parameter_error import ParameterError
from ..query.feed import languages as languages_of
from ..schedule.regions import Country
from ..suggest import advise, did_you_mean, quoted

# q is the form's filter box: sent along with the rest, read only by the page that lists shows.
# platform is the form's menu of each show (SHOW:RELEASE); release the same, or a bare release
# id for every show that has it, for clients that post the form themselves. csrf_token is
# ignored: form pages served before forms were judged by their origin carried one.
FORM_FIELDS = ("region", "show", "platform", "release", "lang", "alarm", "q", "csrf_token")
EARLIEST = "earliest"
# Fields a form may send for each show a calendar holds (its tick, its platform, a spare), and
# beside them: counted before any value is read, so a form of thousands of fields costs nothing.
FIELDS_PER_SHOW = 3
OTHER_FIELDS = len(FORM_FIELDS) * 2


def read_form(lists: dict[str, list[str]], catalogue: Catalogue, max_shows: int) -> dict:
    """Choices to store: {"region", "shows": {show id: [release ids] or None}, "lang", "alarms"}.

    `platform` and `release` are repeatable: `SHOW:RELEASE` chooses a release for one show (ignored when that
    show is not chosen), a bare release id chooses it for every show that has it in the region,
    `earliest`, `SHOW:earliest` or an empty value keeps the earliest watchable airing.
    Every step is one pass over the fields: the limits come first, then each value is looked up
    in a dictionary, never compared with every show.
    """
    check_size(lists, max_shows)
    region = form_region(lists)
    shows = chosen_shows(lists.get("show", []), catalogue, region)
    if not shows:
        raise ParameterError("show", "choose at least one show")
    choose_releases([*lists.get("platform", []), *lists.get("release", [])], shows, catalogue,
                    region)
    lang, alarm = _one(lists, "lang"), _one(lists, "alarm")
    chosen = tuple(catalogue.show(s) for s in shows)
    return {"region": region.code,
            "lang": parse.lang(lang, languages_of(chosen), "these titles") if lang else None,
            "alarms": list(parse.alarms(alarm)) if alarm else [],
            "shows": {s: sorted(r) if r is not None else None for s, r in shows.items()}}


def form_region(lists: dict[str, list[str]], default: str | None = None) -> Country:
    """A posted form's `region` (the calendar forms, the list import, the "+ My calendar"
    buttons): one value, spaces around it ignored, read by the region parser every route
    uses (query.values.region), so `ıt` or `zz` is refused as in a URL, never taken for
    Italy or the default. Without one, `default`, else the form is refused."""
    code = _one(lists, "region") or default
    if not code:
        raise ParameterError("region", "choose a region (an ISO 3166-1 code such as us or jp)")
    return parse.region(code)


def check_size(lists: dict[str, list[str]], max_shows: int) -> None:
    """Unknown fields, more shows than a calendar holds, or more fields than such a calendar
    needs are refused before any value is read."""
    for name in lists:
        if name not in FORM_FIELDS:
            raise ParameterError(name[:60], advise(f"unknown field {quoted(name)}"
                                                   f"{did_you_mean(name[:60], FORM_FIELDS)}",
                                                   f"this form takes {', '.join(FORM_FIELDS)}"))
    shows = len(lists.get("show", []))
    if shows > max_shows:
        raise ParameterError("show", f"a calendar holds at most {max_shows} shows, and this "
                                     f"form chose {shows}: untick some, or make a second "
                                     "calendar")
    fields = sum(len(values) for values in lists.values())
    most = max_shows * FIELDS_PER_SHOW + OTHER_FIELDS
    if fields > most:
        raise ParameterError("release", f"this form sends {fields} fields, more than a calendar "
                                        f"of {max_shows} shows needs ({most}): reload the form "
                                        "and send it again")


def chosen_shows(given: list[str], catalogue: Catalogue, region) -> dict[str, set | None]:
    """The ticked shows, in order, each once; one that cannot be watched in the region is
    refused by name."""
    shows: dict[str, set | None] = {}
    for text in (s.strip() for s in given if s.strip()):
        show = catalogue.show(parse.show_id(text, catalogue))
        if region.code not in show.regions:
            raise ParameterError("show", f"{show.name()} cannot be watched in {region.name}: "
                                         "remove it or choose another region")
        shows[show.id] = None
    return shows


def choose_releases(given: list[str], shows: dict, catalogue: Catalogue, region) -> None:
    """Fill `shows` with the releases chosen for them. Values are grouped first (per show, and
    the bare ones), so each group is checked once, as feeds and the API check theirs
    (query/values.check_releases): the same refusals and messages."""
    per_show: dict[str, set[str]] = {}
    bare: set[str] = set()
    for text in (r.strip() for r in given if r.strip()):
        named, _, release_id = text.rpartition(":")
        if release_id == EARLIEST:
            continue
        # The show as the ticks name it: any case, an old id or its stable key.
        show_id = catalogue.current_id(named) if named else None
        if not named:
            bare.add(release_id)
        elif show_id in shows:      # a show listed on the form but not ticked: not chosen
            per_show.setdefault(show_id, set()).add(release_id)
    for show_id, release_ids in per_show.items():
        parse.check_releases(frozenset(release_ids), (catalogue.show(show_id),), region)
        shows[show_id] = set(release_ids)
    if bare:
        chosen = tuple(catalogue.show(s) for s in shows)
        parse.check_releases(frozenset(bare), chosen, region)
        for show in chosen:
            here = {r.id for r in show.releases if r.watchable_in(region.code)} & bare
            if here:
                shows[show.id] = (shows[show.id] or set()) | here


def _one(lists: dict[str, list[str]], name: str) -> str:
    given = [v.strip() for v in lists.get(name, []) if v.strip()]
    if len(given) > 1:
        raise ParameterError(name, f"field '{name}' is given {len(given)} times: give it once")
    return given[0] if given else ""

"""Every way into calfeed reads a show id by one rule (Catalogue.current_id) and a region by one
parser (query.values.region): pages, feeds, the API, the calendar form's links and posts, the
"+ My calendar" buttons and the list import."""

from __future__ import annotations

import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from calfeed.query.parameter_error import ParameterError
from calfeed.query.values import region
from calfeed.web.calendars import store

TODAY = "metallic-rouge"
# Another case, the stable key (its bangumi.tv subject) in two cases, an old id (aliases.yaml).
ASKED = ["Metallic-Rouge", "METALLIC-ROUGE", "bgm425595", "BGM425595", "metalic-rouge"]


def redirected(answer) -> str:
    assert answer.status_code == 301, answer.text
    return urlsplit(answer.headers["Location"]).path


def path_show(template: str):
    """A route naming the show in its path: a 301 to today's id, the query kept."""
    def took(client, asked):
        answer = client.get(template.format(asked) + "?alarm=15")
        assert answer.headers["Location"].endswith("?alarm=15")
        return redirected(answer)
    return took


def schedule_query(client, asked):
    """/api/v1/schedule?show=: an old id or the stable key redirects, any case is read."""
    answer = client.get(f"/api/v1/schedule?show={asked}&from=2024-01-08&to=2024-01-10")
    if answer.status_code == 301:
        return parse_qs(urlsplit(answer.headers["Location"]).query)["show"][0]
    assert answer.status_code == 200, answer.text
    return {a["show_id"] for a in answer.get_json()["airings"]}.pop()


def ticked(page: str) -> tuple[list[str], list[str]]:
    """The shows ticked and the platforms chosen on a calendar form page."""
    text = html.unescape(page)
    return (re.findall(r'name="show" value="([^"]+)" checked', text),
            re.findall(r'<option value="([^"]+:[^"]+)" selected', text))


def form_link(client, asked):
    answer = client.get(f"/calendars/new?region=jp&show={asked}&platform={asked}:fod")
    assert answer.status_code == 200, answer.text
    assert ticked(answer.text) == ([TODAY], [f"{TODAY}:fod"])
    return TODAY


def stored(client, edit_path: str) -> dict:
    with client.application.app_context():
        return store().by_edit_key(edit_path.rsplit("/", 1)[1]).choices["shows"]


def create(client, show: str, platform: str | None = None):
    answer = client.post("/calendars", data={"region": "jp", "show": show,
                                             **({"platform": platform} if platform else {})})
    assert answer.status_code == 303, answer.text
    return urlsplit(answer.headers["Location"]).path


def form_post(client, asked):
    shows = stored(client, create(client, asked, f"{asked}:fod"))
    assert shows == {TODAY: ["fod"]}
    return TODAY


def edit_post(client, asked):
    edit_path = create(client, TODAY)
    answer = client.post(edit_path, data={"region": "jp", "show": asked,
                                          "platform": f"{asked}:fod"})
    assert answer.status_code == 303, answer.text
    assert stored(client, edit_path) == {TODAY: ["fod"]}
    return TODAY


def edit_page_filter(client, asked):
    answer = client.get(f"{create(client, TODAY)}?q=&region=jp&show={asked}")
    assert answer.status_code == 200, answer.text
    return ticked(answer.text)[0][0]


def add_button(client, asked):
    answer = client.post("/calendars/mine/shows", data={"show": asked, "region": "us"},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    return answer.get_json()["show"]


def added_page(client, asked):
    answer = client.get(f"/calendars/mine?show={asked}&done=added&region=us")
    assert answer.status_code == 200, answer.text
    return re.search(r'href="/shows/([^"?]+)\?region=us">', answer.text).group(1)


ENTRY_POINTS = {
    "show page": path_show("/shows/{}"), "show feed": path_show("/feeds/us/{}.ics"),
    "API show": path_show("/api/v1/shows/{}"), "API schedule": schedule_query,
    "form link": form_link, "form post": form_post, "edit post": edit_post,
    "edit page filter": edit_page_filter, "+ My calendar": add_button,
    "+ My calendar page": added_page,
}


@pytest.mark.parametrize("asked", ASKED)
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_entry_point_takes_a_show_by_any_of_its_ids(aliased, entry, asked):
    found = ENTRY_POINTS[entry](aliased, asked)
    assert found.strip("/").rsplit("/", 1)[-1].removesuffix(".ics") == TODAY


MAL_LIST = b"<myanimelist><anime><series_animedb_id>54794</series_animedb_id></anime></myanimelist>"
# Every route that takes a show or a region, in a path, a query or a form field:
# (client, show, region) -> its answer.
ROUTES = {
    "front page": lambda c, s, r: c.get(f"/?region={r}"),
    "seasons": lambda c, s, r: c.get(f"/seasons?region={r}"),
    "a season": lambda c, s, r: c.get(f"/seasons/2024-winter?region={r}"),
    "search": lambda c, s, r: c.get(f"/search?q=metal&region={r}"),
    "search.json": lambda c, s, r: c.get(f"/search.json?q=metal&region={r}"),
    "week": lambda c, s, r: c.get(f"/week?region={r}"),
    "show page": lambda c, s, r: c.get(f"/shows/{s}?region={r}"),
    "region feed": lambda c, s, r: c.get(f"/feeds/{r}.ics"),
    "show feed": lambda c, s, r: c.get(f"/feeds/{r}/{s}.ics"),
    "API region": lambda c, s, r: c.get(f"/api/v1/regions/{r}"),
    "API show": lambda c, s, r: c.get(f"/api/v1/shows/{s}?region={r}"),
    "API schedule": lambda c, s, r: c.get(f"/api/v1/schedule?region={r}&show={s}"),
    "API search": lambda c, s, r: c.get(f"/api/v1/search?q=metal&region={r}"),
    "form link": lambda c, s, r: c.get(f"/calendars/new?region={r}&show={s}"),
    "form filter": lambda c, s, r: c.get(f"/calendars/shows.json?q=metal&region={r}"),
    "edit page filter": lambda c, s, r: c.get(f"{create(c, TODAY)}?q=&region={r}&show={s}"),
    "+ My calendar page": lambda c, s, r: c.get(f"/calendars/mine?show={s}&region={r}"),
    "form post": lambda c, s, r: c.post("/calendars", data={"region": r, "show": s}),
    "edit post": lambda c, s, r: c.post(create(c, TODAY), data={"region": r, "show": s}),
    "list import": lambda c, s, r: c.post("/calendars/import", data={
        "region": r, "list": (io.BytesIO(MAL_LIST), "list.xml")}),
    "+ My calendar": lambda c, s, r: c.post("/calendars/mine/shows", data={"show": s,
                                                                            "region": r}),
    "+ My calendar remove": lambda c, s, r: c.post("/calendars/mine/shows/remove", data={
        "show": s, "region": r}),
}
NAMING_A_SHOW = ("show page", "show feed", "API show", "API schedule", "form link",
                 "edit page filter", "+ My calendar page", "form post", "edit post",
                 "+ My calendar", "+ My calendar remove")


def refused_alike(answer, message: str) -> None:
    """404 where a URL names it, 400 in a form sent (the form's address exists), and the
    message in the route's own shape (JSON, a line of text, a page)."""
    assert answer.status_code == (400 if answer.request.method == "POST" else 404), answer.text
    assert message in html.unescape(answer.text)


@pytest.mark.parametrize("asked", ["bgm1", "no-such-show"])
@pytest.mark.parametrize("route", NAMING_A_SHOW)
def test_an_id_that_leads_nowhere_is_refused_alike_everywhere(aliased, route, asked):
    refused_alike(ROUTES[route](aliased, asked, "jp"), f"unknown show '{asked}'")


def test_the_list_import_ticks_shows_by_todays_id(aliased):
    # A list names shows by MyAnimeList or AniList ids, matched against each show's `ids`
    # (Metallic Rouge's MyAnimeList id is 54794): what it ticks is the catalogue's own id,
    # which the form's post then reads like any.
    answer = ROUTES["list import"](aliased, None, "us")
    assert answer.status_code == 200, answer.text
    assert ticked(answer.text)[0] == [TODAY]


def refusal(text: str) -> str:
    """What the one region parser says of `text`."""
    with pytest.raises(ParameterError) as refused:
        region(text)
    return refused.value.message


# Unicode upper-cases `ıt` and `ſe` to IT and SE; `zz` is no country, so no default stands in.
@pytest.mark.parametrize("given", ["ıt", "ſe", "zz", "usa"])
@pytest.mark.parametrize("route", ROUTES)
def test_every_route_refuses_a_region_that_is_no_country_alike(aliased, route, given):
    answer = ROUTES[route](aliased, TODAY, given)
    refused_alike(answer, refusal(given))
    if answer.is_json:
        assert answer.get_json()["error"]["parameter"] == "region"


@pytest.mark.parametrize("given", ["jp", "JP"])
@pytest.mark.parametrize("route", ROUTES)
def test_every_route_takes_a_region_in_any_case(aliased, route, given):
    answer = ROUTES[route](aliased, TODAY, given)
    assert answer.status_code in (200, 301, 303), answer.text


def test_a_form_reads_its_region_as_a_query_is_read(aliased):
    # Spaces around it are left out, as in a query; given twice, it is refused.
    edit_path = create(aliased, TODAY)
    answer = aliased.post(edit_path, data={"region": " jp ", "show": TODAY})
    assert answer.status_code == 303, answer.text
    with aliased.application.app_context():
        assert store().by_edit_key(edit_path.rsplit("/", 1)[1]).choices["region"] == "JP"
    for path in ("/calendars/import", "/calendars/mine/shows"):
        answer = aliased.post(path, data={"region": ["jp", "us"], "show": TODAY,
                                          "list": (io.BytesIO(MAL_LIST), "list.xml")})
        assert answer.status_code == 400 and "region" in answer.text, path

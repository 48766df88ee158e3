"""/api/v1/shows a page at a time: every show once, in id order, by a cursor that survives
changes to the catalogue between two pages."""

from __future__ import annotations

import shutil

import pytest

from calfeed.schedule.synthetic import write_synthetic
from tests.conftest import BUNDLED_SCHEDULES

pytestmark = pytest.mark.both_response_caches


@pytest.fixture
def catalogue(tmp_path):
    folder = tmp_path / "schedules"
    write_synthetic(25, folder)
    shutil.copy(BUNDLED_SCHEDULES / "metallic-rouge.yaml", folder)
    return folder


def walk(client, url: str) -> tuple[list[str], list[dict]]:
    ids, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_json()
        pages.append(page)
        ids += [show["id"] for show in page["shows"]]
        # The same next page in the document and in the Link header (RFC 8288).
        if page["next"] is None:
            assert "Link" not in response.headers
        else:
            assert response.headers["Link"] == f'<{page["next"]}>; rel="next"'
        url = page["next"]
    return ids, pages


def test_pages_give_every_show_once_in_id_order(make_app, catalogue):
    client = make_app(catalogue).test_client()
    ids, pages = walk(client, "/api/v1/shows?limit=7")
    assert len(ids) == 26 and ids == sorted(set(ids))
    assert [len(page["shows"]) for page in pages] == [7, 7, 7, 5]
    assert {page["total"] for page in pages} == {26}
    assert pages[1]["shows"][0]["id"] > pages[0]["shows"][-1]["id"]
    # The limit asked for stays in each next link; the links are absolute.
    assert pages[0]["next"] == f"http://localhost/api/v1/shows?limit=7&after={ids[6]}"


def test_the_first_page_holds_100_by_default(make_app, tmp_path):
    folder = tmp_path / "many"
    write_synthetic(130, folder)
    client = make_app(folder).test_client()
    first = client.get("/api/v1/shows").get_json()
    assert len(first["shows"]) == 100 and first["total"] == 130
    ids, _ = walk(client, "/api/v1/shows")
    assert len(ids) == 130 == len(set(ids))


def test_a_page_that_ends_the_catalogue_has_no_next(make_app, catalogue):
    client = make_app(catalogue).test_client()
    page = client.get("/api/v1/shows?limit=26").get_json()
    assert len(page["shows"]) == 26 and page["next"] is None


def test_a_cursor_whose_show_left_still_finds_the_next(make_app, catalogue):
    client = make_app(catalogue).test_client()
    everything, _ = walk(client, "/api/v1/shows?limit=200")
    # A show id that is not (or no longer) in the catalogue: the page starts after where it
    # would be, so a client walking the pages while shows come and go skips none of the rest.
    gone = everything[9] + "-gone"
    page = client.get(f"/api/v1/shows?after={gone.upper()}&limit=3").get_json()
    assert [show["id"] for show in page["shows"]] == everything[10:13]
    assert client.get("/api/v1/shows?after=zzzz").get_json() == \
        {"total": 26, "shows": [], "next": None}



def test_a_region_lists_the_ids_of_the_shows_watchable_there(make_app, catalogue):
    client = make_app(catalogue).test_client()
    everything, pages = walk(client, "/api/v1/shows?limit=200")
    feeds = {show["id"]: show["feeds"] for page in pages for show in page["shows"]}
    regions = {r["code"]: r for r in client.get("/api/v1/regions").get_json()["regions"]}
    counts = set()
    for code in ("US", "JP", "KR", "BR", "GB"):
        document = client.get(regions[code]["url"]).get_json()
        expected = [show for show in everything if code in feeds[show]]
        assert document["shows"] == expected
        assert document["show_count"] == regions[code]["show_count"] == len(expected)
        counts.add(len(expected))
    assert len(counts) > 2 and max(counts) > 0      # regions differ: a real filter
    # A region in another case redirects to the canonical URL, as show ids do.
    moved = client.get("/api/v1/regions/JP")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/api/v1/regions/jp")


def test_a_cursor_may_be_any_show_id_however_long(make_app, catalogue):
    # A show id is its file's name: up to 250 characters (255 bytes less .yaml). The `next`
    # link after such a show must be taken back, or a client walking the pages stops there.
    long_id = "a" + "-long" * 49
    assert len(long_id) == 246
    first = sorted(catalogue.glob("synthetic-*.yaml"))[0]
    first.rename(catalogue / f"{long_id}.yaml")
    client = make_app(catalogue).test_client()
    ids, _ = walk(client, "/api/v1/shows?limit=1")
    assert long_id in ids and len(ids) == 26 == len(set(ids))
    # Longer than any file name: refused, saying so.
    refused = client.get("/api/v1/shows?after=" + "a" * 251)
    assert refused.status_code == 400
    assert "251 characters long: a show id has at most 250" in \
        refused.get_json()["error"]["message"]

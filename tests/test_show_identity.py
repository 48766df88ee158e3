"""A show's identity across catalogues and over time: its ids in the API (issue 12 §2)."""

from __future__ import annotations

METALLIC_ROUGE_IDS = {"anidb": "17926", "anilist": "162985", "bangumi": "425595",
                      "mal": "54794", "tmdb": "tv/222787"}


def test_shows_list_has_each_shows_ids_as_strings(client):
    (show,) = client.get("/api/v1/shows").get_json()["shows"]
    assert show["ids"] == METALLIC_ROUGE_IDS


def test_show_detail_has_its_ids(client):
    assert client.get("/api/v1/shows/metallic-rouge").get_json()["show"]["ids"] == \
        METALLIC_ROUGE_IDS


def test_ids_are_described_in_openapi(client):
    show = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Show"]
    assert "ids" in show["required"]
    assert set(show["properties"]["ids"]["properties"]) == {"bangumi", "mal", "anilist",
                                                            "anidb", "tmdb"}

"""The export writes every GET route of the app's URL map, except the ones excluded for a
reason or personal (a secret in their path); a route it cannot fill in is refused by name."""

from __future__ import annotations

import pytest

from calfeed.web import state
from calfeed.web.export import NOT_EXPORTED, SECRET_ARGUMENTS, ExportError, export_paths


def paths_of(app, regions=None):
    with app.app_context():
        return export_paths(app, state.current(), regions)


def test_every_get_route_is_exported_or_excluded_for_a_reason(app):
    urls = app.url_map.bind("localhost")
    exported = {urls.match(path, method="GET")[0] for path in paths_of(app)}
    get_routes = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    for rule in get_routes:
        if rule.endpoint in NOT_EXPORTED:
            assert rule.endpoint not in exported, rule.rule
        elif rule.arguments & SECRET_ARGUMENTS:
            assert rule.endpoint not in exported, f"{rule.rule} holds a secret"
        else:
            assert rule.endpoint in exported, f"{rule.rule} is neither exported nor excluded"
    # The exclusions name real routes, so the list cannot rot unnoticed.
    assert set(NOT_EXPORTED) <= {rule.endpoint for rule in get_routes}


def test_the_site_paths_from_the_url_map(app):
    paths = paths_of(app, ["us", "JP"])
    assert len(paths) == len(set(paths))
    assert {"/", "/static/calfeed.css", "/static/calfeed.js", "/static/favicon.svg",
            "/feeds/us.ics", "/feeds/jp.ics", "/feeds/us/metallic-rouge.ics",
            "/feeds/jp/metallic-rouge.ics", "/shows/metallic-rouge", "/api/v1/regions",
            "/api/v1/shows", "/api/v1/shows/metallic-rouge", "/api/v1/schedule",
            "/api/v1/openapi.json"} <= set(paths)
    assert not [p for p in paths if p.startswith(("/feeds/gb", "/healthz", "/calendars",
                                                   "/feeds/my/"))]


def test_a_new_route_is_exported_without_editing_the_export(app):
    app.add_url_rule("/about.txt", "about", lambda: "calfeed")
    assert "/about.txt" in paths_of(app)


def test_a_route_whose_values_the_export_cannot_know_is_refused_by_name(app):
    app.add_url_rule("/weeks/<week>", "week", lambda week: week)
    with pytest.raises(ExportError, match=r"/weeks/<week> takes week: .*NOT_EXPORTED"):
        paths_of(app)


@pytest.mark.parametrize("base_url", ["https://calfeed.test", "https://example.org/calfeed"])
def test_a_paged_list_is_written_whole_for_a_static_host(make_app, tmp_path, base_url):
    """A static host answers no `?after=`: following `next` there would give the first page
    again and again, so the export writes every show in the one file. Under a base URL with a
    path, the `next` links name that path too (the export once asked the app for
    /calfeed/api/v1/shows and stopped on its 404)."""
    import json

    from calfeed.schedule.synthetic import write_synthetic
    from calfeed.web.export import export_site

    folder = tmp_path / "schedules"
    write_synthetic(103, folder)
    app = make_app(folder)
    with app.app_context():
        export_site(app, state.current(), tmp_path / "site", base_url=base_url,
                    regions=["jp"])
    written = json.loads((tmp_path / "site/api/v1/shows/index.json").read_text())
    served = app.test_client().get("/api/v1/shows").get_json()
    assert len(served["shows"]) == 100 and served["next"]
    assert written["total"] == 103 and written["next"] is None
    assert [s["id"] for s in written["shows"]] == sorted(s.name[:-5] for s in
                                                         folder.glob("*.yaml"))
    assert written["shows"][:100] == json.loads(json.dumps(served["shows"]).replace(
        "http://localhost", base_url))

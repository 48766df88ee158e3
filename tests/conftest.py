"""Fixtures: test apps from one factory (Flask tutorial style: app, client, runner), schedule
fixtures reached by the name of what they test."""

from __future__ import annotations

import functools
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from calfeed import create_app
from calfeed.config import BUNDLED_SCHEDULES, DEFAULTS
from calfeed.schedule.expand import expand_show
from calfeed.schedule.show_file import load_show

SCHEDULE_FIXTURES = Path(__file__).parent / "schedules"


def pytest_addoption(parser):
    parser.addoption("--rewrite-golden", action="store_true",
                     help="write tests/golden/ from what the app answers now (after an "
                          "intended change: look at the diff, then commit them with it)")


def pytest_configure(config):
    # Apps made by tests do not poll their folders unless a test asks for it; servers the tests
    # start inherit this too.
    os.environ.setdefault("CALFEED_RELOAD_INTERVAL", "0")
    config.addinivalue_line("markers", "both_response_caches: run each test of the module with "
                                       "the whole-response cache on (the default) and off")
    config.addinivalue_line("markers", "browser: drives Chromium (left out by make test-fast)")
    config.addinivalue_line("markers", "server: starts real programs (granian, nginx, "
                                       "PostgreSQL) or reads the package registry (left out "
                                       "by make test-fast)")
    config.addinivalue_line("markers", "both_backends: run each test of the module with the "
                                       "state in SQLite files and in PostgreSQL")
    # Apps and servers the tests start serve the schedules folder alone, as the existing tests
    # assume; tests of the imported catalogue turn it on (make_app(IMPORT=1)).
    os.environ.setdefault("CALFEED_IMPORT", "0")
    # Nor do they ask the npm registry for a newer dataset unless a test says so.
    os.environ.setdefault("CALFEED_DATASET_UPDATE_HOURS", "0")
    # Nor do they freeze the test process's heap (serve/heap.py), even through create_app()
    # with no test config: their apps are cycles only the collector frees, and what is frozen
    # is never freed (test_heap.py turns it on, and back off).
    os.environ.setdefault("CALFEED_FREEZE_HEAP", "0")


class NamedShows:
    """`shows.skip_shifts_later_episodes` is tests/schedules/valid/skip-shifts-later-episodes.yaml."""

    def __getattr__(self, name: str):
        return load_show(SCHEDULE_FIXTURES / "valid" / f"{name.replace('_', '-')}.yaml")


@pytest.fixture
def shows() -> NamedShows:
    return NamedShows()


@pytest.fixture
def airings_of():
    """Airings of a show by release id: {"tv": [airing, ...]}."""
    def by_release(show):
        grouped: dict[str, list] = {}
        for airing in expand_show(show):
            grouped.setdefault(airing.release.id, []).append(airing)
        return grouped
    return by_release


# Tests run as if on 2024-01-01, before Metallic Rouge's first episode: feeds do not depend
# on when the suite runs, and LAST-MODIFIED/DTSTAMP are this instant on a first load.
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def fixed_clock(at: datetime = NOW):
    return lambda: at


def app_config(schedules: Path, state_path: Path, **config) -> dict:
    """The configuration of every test app: a folder of schedules, its own state database and
    calendars file (the default is the instance folder, shared by every run: calendars made by
    earlier runs reached the hourly creation limit), a fixed clock, no polling of the folder;
    a test's own values last."""
    return {"TESTING": True, "SCHEDULES_DIR": str(schedules), "STATE_PATH": str(state_path),
            "CALENDARS_PATH": str(Path(state_path).with_name(Path(state_path).stem +
                                                            "-calendars.sqlite3")),
            "CLOCK": fixed_clock(), "RELOAD_INTERVAL": 0, "IMPORT": 0, "FREEZE_HEAP": 0,
            "DATASET_DIR": str(Path(state_path).parent / "datasets"), "DATASET_UPDATE_HOURS": 0,
            **config}


def _stop_reloaders(apps) -> None:
    from calfeed.web import state
    for app in apps:
        state.service(app).stop()


@pytest.fixture
def response_cache_seconds(request) -> int:
    """RESPONSE_CACHE_SECONDS of the test's apps: the default, or each of on and off in modules
    marked both_response_caches."""
    return getattr(request, "param", DEFAULTS["RESPONSE_CACHE_SECONDS"])


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL server for the session (tests/postgres.py)."""
    from tests.postgres import throwaway_cluster
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def database_url(request) -> str:
    """CALFEED_DATABASE_URL of the test's apps: empty (SQLite files in the test's folder), or
    a fresh PostgreSQL database in modules marked both_backends."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return ""
    return request.getfixturevalue("postgres_cluster").new_database()


def pytest_generate_tests(metafunc):
    # The response cache answers repeated and conditional requests itself: with it off, Flask's
    # own answers (ETag, Last-Modified, 304s) are what the same tests check.
    if (metafunc.definition.get_closest_marker("both_response_caches")
            and "response_cache_seconds" in metafunc.fixturenames):
        metafunc.parametrize("response_cache_seconds",
                             [DEFAULTS["RESPONSE_CACHE_SECONDS"], 0],
                             ids=["cache-on", "cache-off"], indirect=True)
    # Both backends of the revision state and calendars pass the same tests: neither drifts.
    if (metafunc.definition.get_closest_marker("both_backends")
            and "database_url" in metafunc.fixturenames):
        # The PostgreSQL half starts a server: left out of `make test-fast`.
        metafunc.parametrize("database_url",
                             ["sqlite", pytest.param("postgres", marks=pytest.mark.server)],
                             indirect=True)


@pytest.fixture
def make_app(tmp_path, response_cache_seconds, database_url):
    """Apps on a folder of schedules (the bundled ones unless named) sharing this test's state
    database, as a deployment's workers do; their reloaders are stopped at the end."""
    apps = []

    def make(schedules=BUNDLED_SCHEDULES, **config):
        config = {"RESPONSE_CACHE_SECONDS": response_cache_seconds,
                  "DATABASE_URL": database_url, **config}
        app = create_app(app_config(schedules, tmp_path / "state.sqlite3", **config))
        apps.append(app)
        return app
    yield make
    _stop_reloaders(apps)


@pytest.fixture(scope="module")
def make_module_app(tmp_path_factory):
    """make_app for a module's shared fixtures: each app with a state database of its own."""
    apps = []

    def make(schedules=BUNDLED_SCHEDULES, **config):
        app = create_app(app_config(schedules, tmp_path_factory.mktemp("state") / "s.sqlite3",
                                    **config))
        apps.append(app)
        return app
    yield make
    _stop_reloaders(apps)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def schedules(tmp_path):
    """A copy of the bundled schedules that a test may edit, empty or break."""
    folder = tmp_path / "schedules"
    shutil.copytree(BUNDLED_SCHEDULES, folder)
    return folder


@pytest.fixture
def two_shows(tmp_path):
    """A folder of two schedules, the bundled Metallic Rouge and a show with long Japanese
    titles: the personal calendars' tests choose between them."""
    folder = tmp_path / "two-shows"
    folder.mkdir()
    shutil.copy(BUNDLED_SCHEDULES / "metallic-rouge.yaml", folder)
    shutil.copy(SCHEDULE_FIXTURES / "feeds" / "escapes-and-long-japanese-titles.yaml", folder)
    return folder


# What a browser says of a form sent from calfeed's own page (calendar_edge.check_csrf).
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def browser_client(app):
    """A test client that sends forms as calfeed's own pages do."""
    browser = app.test_client()
    browser.environ_base.update(SAME_ORIGIN)
    return browser


@pytest.fixture
def calendar_client(make_app, two_shows, tmp_path):
    """A client sending forms as calfeed's pages do, to an app on `two_shows` whose personal
    calendars are in tmp_path/calendars.sqlite3."""
    return browser_client(make_app(two_shows,
                                   CALENDARS_PATH=str(tmp_path / "calendars.sqlite3")))


@pytest.fixture
def aliased(make_app, tmp_path, monkeypatch):
    """A client (sending forms as calfeed's pages do) of an app whose alias table says
    metallic-rouge was once served as 'metalic-rouge', and names a show gone since."""
    from calfeed.source.aliases import read_aliases
    table = tmp_path / "aliases.yaml"
    table.write_text("metalic-rouge: bgm425595\nsomething-gone: bgm1\n", encoding="utf-8")
    monkeypatch.setattr("calfeed.publish.catalogue.alias_table", lambda: read_aliases(table))
    return browser_client(make_app())


@pytest.fixture
def make_on_copy(make_app, schedules):
    """Apps on the `schedules` copy (sharing one state database), answering a failure as a
    server does, with a 5xx, rather than raising it into the test (TESTING off)."""
    return functools.partial(make_app, schedules, TESTING=False)


# The browser tests' shared fixtures: one Chromium per test module, and the bundled schedules
# served live at the pages' fixed "now" (a module may override `site` with its own data).
@pytest.fixture(scope="module")
def browser():
    from tests.browser import chromium
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def site(make_module_app):
    from tests.browser import PAGE_NOW, live_server
    app = make_module_app(CLOCK=fixed_clock(PAGE_NOW), TESTING=False)
    with live_server(app) as base:
        yield base


@pytest.fixture(scope="module")
def catalogue(pytestconfig, tmp_path_factory):
    """The whole imported bangumi-data catalogue (8,000+ shows), its seasons and its search
    index; the titles' readings are kept in pytest's cache folder, as the app keeps them beside
    its state database, so only the first run pays pykakasi's seconds."""
    from calfeed.index.search import SearchIndex
    from calfeed.index.season import SeasonIndex
    from calfeed.index.title_keys import Readings
    from calfeed.source.bangumi import load_dataset
    from calfeed.source.synonyms import synonym_table
    shows, _report = load_dataset(now=datetime(2026, 11, 30, tzinfo=timezone.utc))
    seasons = SeasonIndex.build(shows)
    cache = getattr(pytestconfig, "cache", None)     # absent with -p no:cacheprovider
    folder = cache.mkdir("calfeed-readings") if cache else tmp_path_factory.mktemp("readings")
    readings = Readings(str(folder / "readings.json"))
    return shows, seasons, SearchIndex(shows, lambda show: seasons.first[show.id], readings,
                                       synonym_table())


def table_problem(folder: Path, name: str, text: str, reader):
    """The first problem `reader` finds in a data table of calfeed's own (aliases.yaml,
    synonyms.yaml) holding `text`: it must refuse the table with a CatalogueError."""
    from calfeed.errors import CatalogueError
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        reader(path)
    return caught.value.errors[0]


# What a test module drives, read from its source once, so that a new module is marked without
# anyone remembering to: `make test-fast` leaves out these (pytest -m "not browser and not
# server"), `make test` and CI run everything.
BROWSER_SIGNS = ("tests.browser", "chromium", "playwright")
SERVER_SIGNS = ("granian", "deploy/serve", "serve.py", "tests.nginx", "tests.postgres",
                "throwaway_cluster", "postgres_cluster", "registry")


def pytest_collection_modifyitems(config, items):
    kinds: dict[Path, tuple[bool, bool]] = {}
    for item in items:
        path = Path(item.path)
        if path not in kinds:
            text = path.read_text(encoding="utf-8")
            kinds[path] = ("browser" in path.name or any(sign in text for sign in BROWSER_SIGNS),
                           any(sign in text for sign in SERVER_SIGNS))
        browser, server = kinds[path]
        if browser:
            item.add_marker(pytest.mark.browser)
        if server:
            item.add_marker(pytest.mark.server)

"""The serving core driven without HTTP: a Service from settings and a clock, its loads' answers,
and the two stores' interfaces that each backend implements."""

from __future__ import annotations

import inspect
import threading
import time
import shutil

import pytest

from calfeed.calendars.pg_store import PgCalendarStore
from calfeed.calendars.store import CalendarStore
from calfeed.config import BUNDLED_SCHEDULES, load_config
from calfeed.publish.pg_revisions import PgRevisionStore
from calfeed.publish.revisions import RevisionStore
from calfeed.serve.load import Outcome, load
from calfeed.serve.service import Service
from calfeed.serve.settings import Settings
from calfeed.serve.stores import Calendars, Revisions
from calfeed.web import state
from tests.conftest import NOW, app_config, fixed_clock


def service_on(schedules, state_path, **config) -> Service:
    settings = Settings.from_mapping(load_config(app_config(schedules, state_path, **config)),
                                     str(state_path.parent))
    return Service(settings, fixed_clock())


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "schedules"
    shutil.copytree(BUNDLED_SCHEDULES, copy)
    return copy


def test_a_service_serves_the_folder_without_a_web_app(folder, tmp_path):
    service = service_on(folder, tmp_path / "state.sqlite3")
    service.start()
    try:
        assert "metallic-rouge" in service.served().catalogue.shows
        assert service.status.serving == "folder" and service.status.last_success == NOW
        assert service.calendars.problem() is None
        assert service.reload() is True         # the same folder: still served
    finally:
        service.stop()


def test_an_app_holds_its_one_service_under_one_key(app):
    assert [key for key in app.extensions if key.startswith("calfeed")] == [state.SERVICE]
    service = state.service(app)
    assert isinstance(service, Service) and service.published is not None
    assert service.response_cache is not None      # the app's own, in front of Flask


def test_a_load_numbered_from_memory_serves_the_folder_and_is_retried(folder, tmp_path):
    # The state folder cannot be made (a file is in its place): SEQUENCE numbers from memory.
    (tmp_path / "a-file").write_text("not a folder")
    service = service_on(folder, tmp_path / "a-file" / "state.sqlite3")
    outcome = load(service)
    assert outcome is Outcome.UNRECORDED and outcome.served and not outcome.settled
    assert service.published is not None and "cannot be used" in service.status.store_fault


def test_reload_says_the_folder_is_served_after_a_fallback_to_memory(folder, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    service = service_on(folder, tmp_path / "a-file" / "state.sqlite3")
    service.start()
    try:
        served = service.published
        # Still the folder's data, though the database still cannot record it.
        assert service.reload() is True and service.published is served
        path = folder / "metallic-rouge.yaml"
        path.write_text(path.read_text().replace("{en: Marginal City,", "{en: Elsewhere,"))
        # A change that cannot be recorded is not served: the answer says so.
        assert service.reload() is False and service.published is served
        assert load(service) is Outcome.FAULT
    finally:
        service.stop()


def test_a_refused_folder_is_settled_and_not_served(folder, tmp_path):
    service = service_on(folder, tmp_path / "state.sqlite3")
    service.start()
    try:
        (folder / "metallic-rouge.yaml").write_text("title: [broken\n")
        outcome = load(service)
        assert outcome is Outcome.REFUSED and outcome.settled and not outcome.served
        assert service.reload() is False
    finally:
        service.stop()


def unlike(backend: type, protocol: type) -> list[str]:
    """The protocol's methods the backend lacks or takes other parameters for."""
    return [name for name, method in vars(protocol).items()
            if inspect.isfunction(method) and not name.startswith("_")
            and (not hasattr(backend, name) or
                 list(inspect.signature(getattr(backend, name)).parameters)
                 != list(inspect.signature(method).parameters))]


@pytest.mark.parametrize("backend, protocol", [
    (RevisionStore, Revisions), (PgRevisionStore, Revisions),
    (CalendarStore, Calendars), (PgCalendarStore, Calendars)])
def test_each_backend_implements_its_store_interface(backend, protocol):
    assert unlike(backend, protocol) == []


def test_the_interface_check_sees_a_missing_method():
    class Partial:
        def record(self, airings, version, now): ...

    assert set(unlike(Partial, Revisions)) == {"record_shared", "save_snapshot",
                                               "load_snapshot"}


def test_a_sqlite_store_is_a_store_at_run_time(tmp_path):
    assert isinstance(RevisionStore(":memory:"), Revisions)
    assert isinstance(CalendarStore(str(tmp_path / "c.sqlite3")), Calendars)


def test_a_stopped_service_leaves_no_preparing_thread_behind(folder, tmp_path):
    # A step prepared beside the first requests may still be building when the service
    # stops: stop() waits for it, so no thread of a stopped service runs on into whatever
    # comes next (in tests, the next test's app and its monkeypatches).
    service = service_on(folder, tmp_path / "state.sqlite3")
    service.start()
    finished = threading.Event()

    def slow_step(published):
        time.sleep(0.3)
        finished.set()
    service.prepare_with(slow_step, at_start_beside=True)
    service.stop()
    assert finished.is_set()

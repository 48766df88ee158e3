"""The app factory: settings in order, the catalogue loaded at start, invalid data refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from calfeed import create_app
from calfeed.config import BUNDLED_SCHEDULES
from calfeed.errors import CatalogueError
from calfeed.web import state

INVALID = Path(__file__).parent / "schedules" / "invalid"


@pytest.fixture(autouse=True)
def state_in_tmp(monkeypatch, tmp_path):
    """Apps made here without test_config keep their revision store in a temporary folder."""
    monkeypatch.setenv("CALFEED_STATE_PATH", str(tmp_path / "state.sqlite3"))


def test_defaults_to_the_bundled_schedules(monkeypatch):
    monkeypatch.delenv("CALFEED_SCHEDULES_DIR", raising=False)
    app = create_app()
    assert app.config["SCHEDULES_DIR"] == str(BUNDLED_SCHEDULES)
    with app.app_context():
        assert list(state.current().catalogue.shows) == ["metallic-rouge"]


def test_environment_then_test_config(monkeypatch, tmp_path):
    monkeypatch.setenv("CALFEED_SCHEDULES_DIR", str(tmp_path))
    assert create_app().config["SCHEDULES_DIR"] == str(tmp_path)
    assert create_app({"SCHEDULES_DIR": str(BUNDLED_SCHEDULES)}).config["SCHEDULES_DIR"] == \
        str(BUNDLED_SCHEDULES)


def test_refuses_to_start_on_invalid_data(tmp_path):
    (tmp_path / "unknown-timezone.yaml").write_bytes(
        (INVALID / "unknown-timezone.yaml").read_bytes())
    with pytest.raises(CatalogueError, match=r"unknown-timezone.yaml:9:15: unknown time zone"):
        create_app({"SCHEDULES_DIR": str(tmp_path)})


def test_each_app_has_its_own_catalogue(tmp_path):
    empty = create_app({"SCHEDULES_DIR": str(tmp_path)})
    bundled = create_app({"SCHEDULES_DIR": str(BUNDLED_SCHEDULES)})
    with empty.app_context():
        assert state.current().catalogue.shows == {}
    with bundled.app_context():
        assert "metallic-rouge" in state.current().catalogue.shows


def test_index_lists_the_shows(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Metallic Rouge" in response.text and "メタリックルージュ" in response.text

"""calfeed: anime release schedules as per-region calendar feeds, JSON and web pages."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, the catalog (refusing invalid data), views and commands."""
    from . import api, cli, config, responses, state, web

    app = Flask(__name__)
    app.config.from_mapping(config.load_config(test_config))
    state.init_app(app)
    responses.init_app(app)
    web.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    return app

"""calfeed: anime release schedules as per-region calendar feeds, JSON and web pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

# Flask is imported inside the factory: importing any calfeed module runs this file first, and
# the domain packages (schedule, publish, render, source) must load without Flask.
if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, the catalogue (refusing invalid data), views and commands."""
    from flask import Flask

    from . import cli, config
    from .web import (api, calendars, catalogue_views, my_calendar, responses, state, views,
                      week_views)

    app = Flask(__name__)
    app.config.from_mapping(config.load_config(test_config))
    state.init_app(app)
    responses.init_app(app)
    views.init_app(app)
    week_views.init_app(app)
    catalogue_views.init_app(app)
    api.init_app(app)
    calendars.init_app(app)
    my_calendar.init_app(app)
    cli.init_app(app)
    _wrap_for_serving(app)
    return app


def _wrap_for_serving(app: Flask) -> None:
    """The WSGI layers in front of Flask: trusted proxy headers, giving freed memory back, the
    public address, then the response cache."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from .web.page_cache import cache_variant
    from .web.public_url import parse_public_url
    from .web.calendars import personal_feeds
    from .web.freed_memory import give_back_freed_memory
    from .web.response_cache import ResponseCache
    from .web.responses import refuse_bodies_on_reads
    from .web.state import service

    public = parse_public_url(app.config["PUBLIC_URL"])
    serving = service(app)
    # served(): a worker first catches up with a newer version another worker published.
    serving.response_cache = app.wsgi_app = ResponseCache(
        app.wsgi_app, serving.served,
        seconds=app.config["RESPONSE_CACHE_SECONDS"],
        max_bytes=app.config["RESPONSE_CACHE_MAX_BYTES"],
        max_entries=app.config["RESPONSE_CACHE_MAX_ENTRIES"], by_host=public is None,
        variant=personal_feeds(serving.calendars, cache_variant(app)))
    app.wsgi_app = refuse_bodies_on_reads(app.wsgi_app)
    if public is not None:
        # Inside ProxyFix: the configured address wins over X-Forwarded-Host and -Proto too.
        app.wsgi_app = public.wrap(app.wsgi_app)
    # Outside the response cache: its answers (most of a flood's bytes) are freed after it.
    app.wsgi_app = give_back_freed_memory(app.wsgi_app, app.config["MALLOC_TRIM_SECONDS"])
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Behind nginx or a load balancer: take the client's address from it, and (without
        # PUBLIC_URL) its scheme and host, so feed URLs and subscribe links name the public
        # address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

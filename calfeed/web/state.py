"""The serving core seen from requests: the app's one Service, the data and clock of a request.

What is served, and how it is loaded, kept and replaced, is `calfeed.serve.Service`'s; this
module makes one per app from its configuration and answers for the request in hand.
"""

from __future__ import annotations

import hmac
import os
import time
from datetime import datetime

from flask import Flask, current_app, g, has_request_context, request

from ..database import open_database
from ..publish.published import Published
from ..serve.service import Service, system_clock
from ..serve.settings import Settings

# The app.extensions name of the app's Service: the only one calfeed uses.
SERVICE = "calfeed"


def init_app(app: Flask) -> None:
    """Make the app's Service and start it: invalid data never gets served, even at start.
    Tests may give their own wall clock (CLOCK) and the reloader's timer (TIMER)."""
    if not app.config["CALENDARS_PATH"]:
        os.makedirs(app.instance_path, exist_ok=True)
    settings = Settings.from_mapping(app.config, app.instance_path)
    # The files as the service resolved them, for whatever reads the configuration.
    app.config.update(STATE_PATH=settings.state_path, DATASET_DIR=str(settings.dataset_dir),
                      CALENDARS_PATH=settings.calendars_path)
    service = app.extensions[SERVICE] = Service(
        settings, app.config.get("CLOCK", system_clock),
        timer=app.config.get("TIMER", time.monotonic), database=open_database(app.config))
    service.start()


def service(app: Flask | None = None) -> Service:
    """The app's Service (the current app's by default)."""
    return (app or current_app).extensions[SERVICE]


def current() -> Published:
    """The data this request is answered from: fixed at its first use, so that one response
    never mixes two versions even if a reload swaps the data meanwhile."""
    if has_request_context():
        if "calfeed_published" not in g:
            g.calfeed_published = service().served()
        return g.calfeed_published
    return service().published


def may_see_details() -> bool:
    """/healthz's details go to loopback (an operator on the machine) or to a client with the
    HEALTH_TOKEN. Behind a proxy, TRUSTED_PROXIES makes the address the client's, not the
    proxy's loopback one."""
    token = current_app.config["HEALTH_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if not current_app.config["TRUSTED_PROXIES"] and "X-Forwarded-For" in request.headers:
        # Proxied, with TRUSTED_PROXIES unset: loopback is the proxy, not the client.
        return False
    return request.remote_addr in ("127.0.0.1", "::1")


def now() -> datetime:
    return service().clock()

"""A live calfeed on 127.0.0.1 and Debian's Chromium driven by Playwright, for page tests."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime, timezone

from werkzeug.serving import make_server

from tests.tools import require

# The flags a sandboxed, offline machine needs: no background calls home, no QUIC.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
# Pages are tested as of 2024-03-01: episodes 1-8 have aired, 9-13 are upcoming.
PAGE_NOW = datetime(2024, 3, 1, tzinfo=timezone.utc)


@contextmanager
def live_server(app):
    """The app over real HTTP on a free loopback port (werkzeug's server, in a thread)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium():
    executable = require("chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """A browser context with a zone and locale, recording requests and console errors.

    `now` fixes the page's clock (Date) at an instant, so countdowns match the app's clock;
    `color_scheme` emulates prefers-color-scheme (light or dark).
    """

    def __init__(self, browser, base, *, zone, locale, width=1280, javascript=True,
                 color_scheme="light", now: datetime | None = None):
        self.base = base
        self.context = browser.new_context(timezone_id=zone, locale=locale,
                                           viewport={"width": width, "height": 900},
                                           java_script_enabled=javascript,
                                           color_scheme=color_scheme)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = self.context.new_page()
        if now is not None:
            self.page.clock.install(time=now)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path):
        self.page.goto(self.base + path, wait_until="networkidle")
        return self.page

    def close(self):
        self.context.close()
        assert self.errors == [], self.errors
        assert all(url.startswith(self.base + "/") for url in self.requests), self.requests

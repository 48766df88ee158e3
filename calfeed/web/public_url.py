"""One public address (config PUBLIC_URL) for every absolute URL the app writes, whatever Host.

Feeds name their own URL, the API and pages name feed URLs: written from the request's Host,
every distinct Host header made different bytes, so a new cache entry in the app (the
response cache, the JSON memo) and in nginx, and let a client put any host in URLs that a
shared cache would then hand to everyone. With PUBLIC_URL set, a WSGI layer makes every
request look addressed to it before anything else reads the request: url_for(_external=True),
request.url and request.host_url all name it, and no cache key holds the Host header. Without
it (development), the Host is used, as the caches' byte bounds still hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit


class PublicURLError(ValueError):
    """A PUBLIC_URL that cannot be the app's address; the message says what to write."""


@dataclass(frozen=True)
class PublicURL:
    scheme: str   # http or https
    host: str     # host[:port], lower case, without a default port
    root: str     # the path the app is mounted at: "" or "/calfeed"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}{self.root}"

    def wrap(self, wsgi_app: Callable) -> Callable:
        """A WSGI layer answering every request as one addressed to this URL."""
        def addressed(environ, start_response):
            environ["wsgi.url_scheme"] = self.scheme
            environ["HTTP_HOST"] = self.host
            environ["SCRIPT_NAME"] = self.root
            return wsgi_app(environ, start_response)
        return addressed


def parse_public_url(value: str, name: str = "CALFEED_PUBLIC_URL") -> PublicURL | None:
    """The PUBLIC_URL setting: None when empty, else its parts; PublicURLError when unusable
    (the message names the setting or option `name`)."""
    text = (value or "").strip()
    if not text:
        return None
    advice = "give the address clients use, such as https://calfeed.example.org"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise PublicURLError(f"{name} '{text}' is not a URL ({exc}): {advice}") \
            from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublicURLError(f"{name} '{text}' needs an http:// or https:// scheme "
                             f"and a host: {advice}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PublicURLError(f"{name} '{text}' holds a query, fragment or user "
                             f"name: {advice}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port is not None and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return PublicURL(scheme=parts.scheme, host=host, root=parts.path.rstrip("/"))

"""Whole responses (feeds, API documents, pages), kept per data version and URL for a while.

Calendar clients ask for the same few URLs again and again. Going through Flask costs far more
than the bytes: this WSGI layer answers a repeated GET or HEAD (and its If-None-Match or
If-Modified-Since) from the response Flask made last time, and asks Flask again only when the
data version changes or the entry is older than a few seconds (feeds also depend on the clock:
ended airings leave a feed with past_days, or under the size budget).

Keys come from requests, so anyone can mint new ones (a query variant, a Host header): what is
kept is bounded in bytes, the least recently used going first. Which requests are kept, and
what besides the URL they depend on (a page's region chosen from Accept-Language), is the
`variant` function's answer.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable

from ..lru import BoundedLRU

CACHED_PREFIXES = ("/feeds/", "/api/")
# A personal feed changes when its owner edits or deletes it, which no data version shows.
UNCACHED_PREFIXES = ("/feeds/my/",)
# What `variant` answers for a request that is not kept.
SKIP = object()
# Bytes an entry holds besides its body and headers: the Entry, its lists and tuples, the key
# and the dictionary slot, measured roughly with sys.getsizeof.
ENTRY_OVERHEAD = 1024
# An answer larger than this share of the bound is sent but not kept: it would push out many
# smaller ones that are asked for more often.
LARGEST_SHARE = 8
# Headers a 304 repeats from the 200 it stands for (RFC 9110, 15.4.5).
KEPT_ON_304 = ("etag", "last-modified", "cache-control", "vary", "content-location",
               "access-control-allow-origin", "x-content-type-options", "referrer-policy")


@dataclass
class Entry:
    version: object
    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str = ""
    last_modified: float | None = None
    not_modified_headers: list[tuple[str, str]] = field(default_factory=list)
    cost: int = 0


def feeds_and_api(environ) -> object:
    """The default `variant`: feeds and API documents depend on their URL only."""
    path = environ.get("PATH_INFO", "")
    if path.startswith(CACHED_PREFIXES) and not path.startswith(UNCACHED_PREFIXES):
        return None
    return SKIP


class ResponseCache:
    """WSGI middleware; `current_version()` names the data being served (a new one empties it).

    At most `max_bytes` of answers are kept (bodies, headers and bookkeeping) and at most
    `max_entries` of them; `by_host` False leaves the Host header out of the key, for when the
    app names one public address whatever the Host (config PUBLIC_URL).
    """

    def __init__(self, wsgi_app: Callable, current_version: Callable[[], object], *,
                 seconds: float, max_bytes: int, max_entries: int = 4096, by_host: bool = True,
                 variant: Callable[[dict], object] = feeds_and_api):
        self.wsgi_app = wsgi_app
        self.current_version = current_version
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.by_host = by_host
        self.variant = variant
        # An answer over an eighth of the bound is sent, not kept.
        self._entries: BoundedLRU[Entry] = BoundedLRU(max_bytes, max_entries,
                                                      largest=max_bytes // LARGEST_SHARE)
        self._version: object = None        # the data version the kept answers are of
        self._lock = threading.Lock()       # guards the version change alone

    @property
    def kept_bytes(self) -> int:
        """Bytes of answers kept now, as counted against `max_bytes`."""
        return self._entries.cost

    def __len__(self) -> int:
        return len(self._entries)

    def __call__(self, environ, start_response):
        if self.seconds <= 0 or self.max_bytes <= 0 or \
                environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        variant = self.variant(environ)
        if variant is SKIP:
            return self.wsgi_app(environ, start_response)
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") if self.by_host else None,
               environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), variant)
        version, now = self.current_version(), time.monotonic()
        with self._lock:
            if version is not self._version:
                # A new data version: the old one's answers are never sent again, and each
                # holds that whole version in memory (its airings, rendered events, memo)
                # until it is pushed out. A reload a day (the import's horizon) made two.
                self._entries.clear()
                self._version = version
        entry = self._entries.get(key, None)
        if entry is None or entry.version is not version or entry.expires <= now:
            entry, keep = self._fill(environ, version, now)
            if not keep:
                if environ["REQUEST_METHOD"] == "GET" and not _conditional(environ):
                    # Flask's answer to this very request: send it as it is.
                    start_response(entry.status, entry.headers)
                    return [entry.body]
                return self.wsgi_app(environ, start_response)
            self._keep(key, entry)
        return self._answer(entry, environ, start_response)

    def _keep(self, key: tuple, entry: Entry) -> None:
        entry.cost += sum(len(part) for part in key if isinstance(part, str))
        if entry.version is not self._version:
            return      # made from a version replaced meanwhile
        # An expired answer is replaced by its new one, or dropped if that is too large.
        if not self._entries.put(key, entry, entry.cost, replace=True):
            self._entries.discard(key)

    def _fill(self, environ, version, now: float) -> tuple[Entry, bool]:
        """Flask's answer to the request as a plain GET, and whether it may be kept."""
        plain = {k: v for k, v in environ.items()
                 if k not in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")}
        plain["REQUEST_METHOD"] = "GET"
        captured: dict = {}
        chunks: list[bytes] = []

        def start(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.wsgi_app(plain, start)
        try:
            chunks.extend(result)
        finally:
            getattr(result, "close", lambda: None)()
        headers = captured.get("headers", [])
        by_name = {name.lower(): value for name, value in headers}
        # Only a plain 200 meant for everyone: never one that sets a cookie or forbids storing.
        keep = (captured.get("status", "").startswith("200") and "set-cookie" not in by_name
                and "no-store" not in by_name.get("cache-control", ""))
        body = b"".join(chunks)
        return Entry(version=version, expires=now + self.seconds, status=captured["status"],
                     headers=headers, body=body, etag=by_name.get("etag", ""),
                     last_modified=_http_date(by_name.get("last-modified")),
                     not_modified_headers=[(n, v) for n, v in headers
                                           if n.lower() in KEPT_ON_304],
                     cost=len(body) + ENTRY_OVERHEAD + 2 * sum(len(n) + len(v)
                                                              for n, v in headers)), keep

    @staticmethod
    def _answer(entry: Entry, environ, start_response):
        if _not_modified(entry, environ):
            start_response("304 NOT MODIFIED", entry.not_modified_headers)
            return [b""]
        start_response(entry.status, entry.headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]


def _conditional(environ) -> bool:
    return "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ


def _not_modified(entry: Entry, environ) -> bool:
    """If-None-Match when sent (weak comparison, RFC 9110 13.1.2), else If-Modified-Since."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        if not entry.etag:
            return False
        wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in wanted or entry.etag.removeprefix("W/") in wanted
    since = _http_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and entry.last_modified is not None and \
        entry.last_modified <= since


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None

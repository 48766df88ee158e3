"""Subscribe links for a feed: webcal for Apple, Outlook desktop and Thunderbird, Google's and
Outlook.com's add-by-URL pages, a download link and a QR code of the webcal address."""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import segno

from ..i18n import translations


@dataclass(frozen=True)
class SubscribeLinks:
    https: str       # the feed itself: copy it, download it, paste it anywhere
    webcal: str      # the same address with the webcal scheme: calendar apps subscribe to it
    google: str
    outlook_com: str
    qr_svg: str      # inline SVG of the webcal address, for phones


def webcal_url(feed_url: str) -> str:
    """The feed's address with the webcal scheme (never webcals: iOS rejects it)."""
    parts = urlsplit(feed_url)
    return urlunsplit(("webcal", *parts[1:]))


def subscribe_links(feed_url: str, name: str, words: str = "en") -> SubscribeLinks:
    """The ways to subscribe to a feed called `name`; the QR code titled in `words`."""
    webcal = webcal_url(feed_url)
    # Google opens its add-by-URL dialog for cid=webcal://… (cid=https://… has failed); the
    # feed's own query (?alarm=…&lang=…) is escaped so it stays part of the cid value.
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=":/")
    outlook = ("https://outlook.live.com/calendar/0/addfromweb?"
               + urlencode({"url": feed_url, "name": name}))
    return SubscribeLinks(https=feed_url, webcal=webcal, google=google, outlook_com=outlook,
                          qr_svg=qr_svg(webcal, translations(words).gettext(
                              "QR code: {name}").format(name=name)))


def qr_svg(data: str, title: str) -> str:
    """A QR code as inline SVG with no style attributes (the pages' CSP forbids inline styles)."""
    buffer = io.BytesIO()
    # A viewBox and no width/height (omitsize), so the stylesheet scales the whole symbol: with a
    # fixed width/height the page's CSS box cut long addresses' codes off at 160 px. The light
    # background is drawn so the code stays black on white in dark mode too; the quiet zone is
    # the 4 modules scanners need.
    segno.make(data, error="m").save(buffer, kind="svg", xmldecl=False, svgns=True, nl=False,
                                     scale=1, border=4, omitsize=True, light="#fff",
                                     title=title, svgclass="qr", lineclass=None)
    return buffer.getvalue().decode("utf-8")

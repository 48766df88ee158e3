"""The show page: choose the platform, add to my calendar, subscribe from
the top, reminders by the feeds' rules, no region feed offered where it would be empty."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest


def episode_releases(page: str) -> list[str]:
    return re.findall(r'<tr data-episode="\d+">\s*<td>\d+</td>\s*<td[^>]*>[^<]*</td>\s*<td>([^<]*)</td>',
                      page)


def feed_links(page: str) -> set[str]:
    return {html.unescape(link)
            for link in re.findall(r'value="(http://localhost/feeds/[^"]*)"', page)}


def test_japan_sees_the_earliest_broadcast_by_default(client):
    page = client.get("/shows/metallic-rouge?region=jp").text
    assert set(episode_releases(page)) == {"Fuji TV +Ultra"}
    assert re.search(r'<a href="/shows/metallic-rouge\?region=jp" aria-current="page">'
                     r"Earliest in Japan</a>", page)


@pytest.mark.parametrize(("query", "releases", "feed_query"), [
    ("release=fod", {"FOD"}, "?release=fod"),
    ("release=d-anime-store", {"d Anime Store"}, "?release=d-anime-store"),
    ("releases=all", {"Fuji TV +Ultra", "d Anime Store", "FOD"}, "?releases=all"),
    ("release=fod&alarm=15&lang=ja", {"FOD"}, "?alarm=15&lang=ja&release=fod"),
])
def test_the_chosen_platform_drives_the_table_and_the_links(client, query, releases, feed_query):
    page = client.get(f"/shows/metallic-rouge?region=jp&{query}").text
    rows = episode_releases(page)
    assert set(rows) == releases
    assert len(rows) == 13 * len(releases)
    assert f"http://localhost/feeds/jp/metallic-rouge.ics{feed_query}" in feed_links(page)
    # The region's feed keeps the reminder and language, not the show's platform.
    assert not any("release" in link for link in feed_links(page) if "/feeds/jp.ics" in link)
    # The chosen platform's link is marked, and the options form keeps the choice.
    assert 'aria-current="page"' in page.split('<nav class="platforms"')[1].split("</nav>")[0]
    name, value = query.split("&")[0].split("=")
    assert f'<input type="hidden" name="{name}" value="{value}">' in page


def test_every_platform_is_offered(client):
    nav = client.get("/shows/metallic-rouge?region=jp").text.split(
        'aria-label="Where you watch"')[1].split("</nav>")[0]
    labels = re.findall(r">([^<>]+)</a>", nav)
    assert labels == ["Earliest in Japan", "Fuji TV +Ultra", "d Anime Store", "FOD",
                      "Every platform"]
    assert 'href="/shows/metallic-rouge?region=jp&amp;releases=all"' in nav


@pytest.mark.parametrize(("query", "message"), [
    ("region=jp&release=crunchyroll", "release &#39;crunchyroll&#39; cannot be watched in Japan"),
    ("region=jp&release=netflix", "release &#39;netflix&#39; is not a release of Metallic Rouge"),
    ("region=jp&releases=some", "the only value is &#39;all&#39;"),
    ("region=kr&release=fod", "Metallic Rouge cannot be watched in South Korea"),
    ("alarm=10081", "alarm &#39;10081&#39; is not valid"),
])
def test_wrong_choices_say_what_to_do(client, query, message):
    response = client.get(f"/shows/metallic-rouge?{query}")
    assert response.status_code == 400 and message in response.text


@pytest.mark.parametrize("alarm", ["", "5", "10", "15", "30", "60", "1440"])
def test_reminder_choices(client, alarm):
    page = client.get(f"/shows/metallic-rouge?region=us&alarm={alarm}").text
    options = re.findall(r'<option value="(\d*)"', page.split('id="alarm"')[1].split("</select>")[0])
    assert options == ["", "5", "10", "15", "30", "60", "1440"]
    assert f'<option value="{alarm}" selected>' in page
    expected = f"?alarm={alarm}" if alarm else ""
    assert f"http://localhost/feeds/us/metallic-rouge.ics{expected}" in feed_links(page)


def test_a_reminder_the_feed_takes_is_kept_though_not_offered(client):
    page = client.get("/shows/metallic-rouge?region=us&alarm=45").text
    assert '<option value="45" selected>45 minutes before</option>' in page
    assert "http://localhost/feeds/us/metallic-rouge.ics?alarm=45" in feed_links(page)


def test_subscribing_starts_at_the_top_and_adding_adds_to_my_calendar(client):
    page = client.get("/shows/metallic-rouge?region=jp&release=fod").text
    top = page.split('aria-labelledby="episodes-heading"')[0]
    assert '<a class="button primary" href="#subscribe-heading">Subscribe</a>' in top
    # A small POST form, on the platform chosen on the page (my_calendar.py).
    form = re.search(r'<form class="add-form[^"]*" method="post" action="/calendars/mine/shows"'
                     r'.*?</form>', top, re.S).group(0)
    assert 'name="show" value="metallic-rouge"' in form and 'name="region" value="jp"' in form
    assert 'name="release" value="fod"' in form
    assert 'id="subscribe-heading"' in page
    form = client.get("/calendars/new?region=jp&show=metallic-rouge").text
    assert re.search(r'id="show-metallic-rouge" name="show" value="metallic-rouge" checked', form)


def test_no_region_feed_is_offered_where_it_has_no_events(client):
    # Korea is in Asia, which Crunchyroll's release leaves out: no show, an empty feed.
    page = client.get("/shows/metallic-rouge?region=kr").text
    assert "/feeds/kr.ics" not in page and "/feeds/kr/" not in page
    assert "there is no feed to subscribe to here yet" in page
    assert 'href="#subscribe-heading"' not in page
    assert "/feeds/aq.ics" in client.get("/shows/metallic-rouge?region=aq").text


STYLESHEET = Path(__file__).resolve().parent.parent / "calfeed" / "static" / "calfeed.css"
# Text colour on background, as the stylesheet pairs them (body, notes, links, buttons, flags).
PAIRS = [("ink", "bg"), ("muted", "bg"), ("accent", "bg"), ("ink", "raised"),
         ("muted", "raised"), ("accent", "flag"), ("bg", "accent")]


def _colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z]+):\s*(#[0-9a-f]{3,6})", block))


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_keep_aa_contrast_in_light_and_dark(scheme):
    css = STYLESHEET.read_text(encoding="utf-8")
    light = _colours(css.split(":root {", 1)[1].split("}", 1)[0])
    dark = _colours(css.split("prefers-color-scheme: dark", 1)[1].split("}", 1)[0])
    assert set(dark) == set(light)      # every colour has its dark counterpart
    colours = light if scheme == "light" else dark
    for text, background in PAIRS:
        assert _contrast(colours[text], colours[background]) >= 4.5, (scheme, text, background)

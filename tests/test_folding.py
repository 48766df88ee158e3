"""calfeed's fast folding (and line joining) gives exactly icalendar's output, on generated and
known lines."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import vDatetime
from icalendar.parser import Contentline, Parameters
from icalendar.parser.string import _foldline

from calfeed.render import ics
from calfeed.render.folding import fold

# Characters of every UTF-8 length, and the escape characters the fold must not split from.
ALPHABET = st.sampled_from(list("ab ,;:\\^n") + ["é", "ß", "長", "イ", "🎌", "\u0301", "ü"])


@settings(max_examples=1500, deadline=None, database=None)
@given(st.text(alphabet=ALPHABET, max_size=400))
def test_same_as_icalendar_on_generated_text(text):
    line = "SUMMARY:" + text
    assert fold(line) == _foldline(line)


@settings(max_examples=500, deadline=None, database=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
               max_size=300))
def test_same_as_icalendar_on_any_text(text):
    assert fold(text) == _foldline(text)


@pytest.mark.parametrize("line", [
    "", "x", "A" * 74, "A" * 75, "A" * 76, "A" * 73 + "\\,", "A" * 72 + "\\,B", "^" * 200,
    "\\" * 151, "長" * 24 + "A", "長" * 25, "🎌" * 19 + "a" * 3, "A" * 73 + "長",
])
def test_same_as_icalendar_at_the_edges(line):
    assert fold(line) == _foldline(line)
    for physical in fold(line).encode().split(b"\r\n"):
        assert len(physical) <= 75


# The two shortcuts of render/ics.py: a property's line joined without icalendar's Contentline,
# and UTC date-times written without vDatetime. Both must write what icalendar writes.

@settings(max_examples=500, deadline=None, database=None)
@given(st.sampled_from(["SUMMARY", "DESCRIPTION", "UID", "LOCATION", "URL"]),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_a_content_line_as_icalendar_joins_it(name, value):
    try:
        typed = ics.PROPERTY_TYPES.for_property(name)(value)
        expected = Contentline.from_parts(name, Parameters(), typed).to_ical() + b"\r\n"
    except (ValueError, AssertionError) as refused:     # a URL with a line break
        with pytest.raises(type(refused)):
            ics.content_line(name, value)
        return
    assert ics.content_line(name, value) == expected


@settings(max_examples=500, deadline=None, database=None)
@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2199, 12, 31, 23, 59, 59),
                    timezones=st.just(timezone.utc)))
def test_a_utc_instant_as_icalendar_writes_it(instant):
    assert ics.utc_text(instant) == vDatetime(instant).to_ical()

"""calfeed's fast folding gives exactly icalendar's output, on generated and known lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _foldline

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

""""Did you mean": the one suggestion helper for schedule files and URLs alike."""

from __future__ import annotations

import difflib
from typing import Iterable, Mapping


def closest(word: str, choices: Iterable[str] | Mapping[str, str], *,
            cutoff: float = 0.6) -> str | None:
    """The choice `word` most likely means: the same in another case, else the nearest spelling.

    `choices` are names, or a mapping from what people type (a country's name) to what to
    suggest (its code). None when nothing is near enough.
    """
    by_key = dict(choices) if isinstance(choices, Mapping) else {c: c for c in choices}
    folded = {key.lower(): value for key, value in by_key.items()}
    if word.lower() in folded:
        return folded[word.lower()]
    near = difflib.get_close_matches(word, list(by_key), n=1, cutoff=cutoff)
    return by_key[near[0]] if near else None


def did_you_mean(word: str, choices: Iterable[str] | Mapping[str, str], *,
                 cutoff: float = 0.6) -> str:
    """", did you mean 'x'?" to append to a message, or "" when nothing is near enough."""
    found = closest(word, choices, cutoff=cutoff)
    return f", did you mean '{found}'?" if found is not None else ""


def advise(problem: str, advice: str) -> str:
    """Join a problem and what to do: 'x, did you mean y? Use z.' or 'x: use z'."""
    if problem.endswith("?"):
        return f"{problem} {advice[0].upper()}{advice[1:]}"
    return f"{problem}: {advice}"


QUOTED = 60     # characters of a value an error quotes: enough to recognise it


def quoted(value: str) -> str:
    """A value as an error message quotes it: whole if short, else its start and its length
    (a 60 KB form field made a 61 KB error page)."""
    if len(value) <= QUOTED:
        return f"'{value}'"
    return f"'{value[:QUOTED]}…' ({len(value):,} characters)"

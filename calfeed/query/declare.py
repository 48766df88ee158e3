"""What a route takes: a declaration of its parameters, read strictly from a query string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..suggest import advise, did_you_mean
from .parameter_error import ParameterError
from .parameters import PARAMETERS

# Added to shared links by sites and mail tools; a page ignores them so a shared
# link still opens. Feeds and the API stay strict: their URLs are made by calfeed, not shared.
TRACKING_PREFIXES = ("utm_",)
TRACKING = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid",
                      "mc_eid", "igshid", "yclid", "twclid", "ttclid", "li_fat_id", "_ga", "_gl",
                      "ref_src", "s_cid"})


def is_tracking(name: str) -> bool:
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


class Values:
    """The parameters a request gave: one text each, or a tuple for a repeatable one."""

    def __init__(self, single: dict[str, str], repeated: dict[str, tuple[str, ...]]):
        self._single, self._repeated = single, repeated

    def __contains__(self, name: str) -> bool:
        return name in self._single or name in self._repeated

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._single.get(name, default)

    def all(self, name: str) -> tuple[str, ...]:
        return self._repeated.get(name, ())

    def as_dict(self) -> dict[str, str]:
        return dict(self._single)


@dataclass(frozen=True)
class Declaration:
    """The parameters one route takes, by name (each described in parameters.PARAMETERS).

    `page`: an HTML page, read by people: an empty value (a form's "none" choice) is the same
    as leaving the parameter out, and tracking parameters are ignored.
    """

    names: tuple[str, ...]
    page: bool = False

    def __post_init__(self):
        undescribed = [name for name in self.names if name not in PARAMETERS]
        if undescribed:
            raise ValueError(f"parameters {', '.join(undescribed)} are not described in "
                             "calfeed/query/parameters.py: describe them there first")

    def read(self, pairs: Iterable[tuple[str, list[str]]]) -> Values:
        """The values given; unknown, repeated and empty parameters are refused."""
        single: dict[str, str] = {}
        repeated: dict[str, tuple[str, ...]] = {}
        for name, given in pairs:
            if name not in self.names:
                if self.page and is_tracking(name):
                    continue
                raise ParameterError(name, advise(
                    f"unknown parameter '{name}'{did_you_mean(name, self.names)}",
                    f"this URL takes {', '.join(self.names)}" if self.names
                    else "this URL takes no parameters"))
            texts = [text.strip() for text in given]
            if self.page:
                texts = [text for text in texts if text]
            elif not all(texts):
                raise ParameterError(name, f"parameter '{name}' is empty: give a value or leave "
                                           "it out")
            if PARAMETERS[name].repeatable:
                if texts:
                    repeated[name] = tuple(texts)
                continue
            if len(texts) > 1:
                raise ParameterError(name, f"parameter '{name}' is given {len(texts)} times: "
                                           "give it once (lists are comma-separated)")
            if texts:
                single[name] = texts[0]
        return Values(single, repeated)

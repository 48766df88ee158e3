"""Credit for imported data as CC BY 4.0 asks: title, creator, source, licence, changes made."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from typing import Iterable

from ..schedule.model import Show
from .provenance import CURATED, provenance

CREATOR = "the bangumi-data contributors"
SOURCE_URL = "https://github.com/bangumi-data/bangumi-data"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# What calfeed does to the data (the licence asks to say so): docs/catalogue.md in a sentence.
CHANGES = ("calfeed maps its items to shows and releases, sets streaming sites' regions from "
           "its own site table, marks the times it had to infer, and replaces the shows it "
           "curates with its own schedules")
ENGLISH = gettext.NullTranslations()


@dataclass(frozen=True)
class Attribution:
    """The credit for one imported dataset, e.g. 'bangumi-data 0.3.208'."""

    title: str

    def as_json(self) -> dict:
        return {"title": self.title, "creator": CREATOR, "source": SOURCE_URL,
                "license": LICENCE, "license_url": LICENCE_URL, "changes": CHANGES}

    def text(self, messages: gettext.NullTranslations | None = None) -> str:
        """One sentence for a feed's description (where links cannot be links), in the
        language of `messages` (the translations)."""
        _ = (messages or ENGLISH).gettext
        # The same words as CREATOR and CHANGES, spelled out so that extraction finds them.
        creator = _("the bangumi-data contributors")
        changes = _("calfeed maps its items to shows and releases, sets streaming sites' "
                    "regions from its own site table, marks the times it had to infer, and "
                    "replaces the shows it curates with its own schedules")
        return _("Includes data from {title} by {creator} ({source}), licensed under {licence} "
                 "({licence_url}); changes: {changes}.").format(
            title=self.title, creator=creator, source=SOURCE_URL, licence=LICENCE,
            licence_url=LICENCE_URL, changes=changes)


def imported_source(show: Show) -> str | None:
    """The dataset a show comes from ('bangumi-data 0.3.208'), None for a curated show."""
    for release in show.releases:
        if release.provenance != CURATED:
            return provenance(show, release).source
    return None


def attribution(shows: Iterable[Show]) -> Attribution | None:
    """The credit these shows need: None when none of them is imported."""
    sources = set()
    for show in shows:
        source = imported_source(show)
        if source is not None:
            sources.add(source)
    # One dataset is imported; were there two versions at once, both would be named.
    return Attribution(", ".join(sorted(sources))) if sources else None


"""Where an airing's time comes from: for machines (the API) and in plain words (pages, feeds)."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from pathlib import PurePath

from datetime import datetime

from ..schedule.model import TIMED, Airing, Release, Show
from ..schedule.windowed import airing_of

CURATED, DATASET, INFERRED = "curated", "dataset", "inferred"
ENGLISH = gettext.NullTranslations()   # the messages as written


@dataclass(frozen=True)
class Provenance:
    """One release's provenance, shared by all its airings.

    kind: `curated` (a calfeed schedule file, checked against the sources it names), `dataset`
    (an imported catalogue, taken as it is) or `inferred` (a time the import had to guess).
    source: the schedule file's name, or the dataset with its version ("bangumi-data 0.3.208").
    sources: what the show names as its sources. notes: why a time is inferred, for people.
    """

    kind: str
    source: str
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    precision: str = TIMED    # the release's: a DATED one gives days, not times

    @property
    def time_known(self) -> bool:
        return self.precision == TIMED

    @property
    def tentative(self) -> bool:
        """A guessed time: calendars get STATUS:TENTATIVE, pages a warning."""
        return self.kind == INFERRED

    @property
    def verified(self) -> bool:
        return self.kind == CURATED


def provenance(show: Show, release: Release) -> Provenance:
    if release.provenance == CURATED:
        # The file's name only: a server's folder is nobody's business.
        return Provenance(CURATED, PurePath(show.path).name if show.path else show.id,
                          tuple(show.sources), ())
    # The import names the dataset (its version) as the first note of every release, and as
    # the show's path; it is the source, not a reason.
    source = show.path or (release.provenance_notes[:1] or ("an imported catalogue",))[0]
    notes = tuple(n for n in release.provenance_notes if n != source)
    return Provenance(release.provenance, source, tuple(show.sources), notes, release.precision)


def of_airing(airing: Airing) -> Provenance:
    return provenance(airing.show, airing.release)


def sentence(found: Provenance, messages: gettext.NullTranslations | None = None) -> str:
    """'Time from bangumi-data 0.3.208, not verified.': what a page or an event says, in the
    language of `messages` (English as written without translations)."""
    _ = (messages or ENGLISH).gettext
    if found.kind == CURATED:
        # No count of sources: adding one changes no time, so it raises no SEQUENCE, and the
        # event's words should not go stale in calendars meanwhile.
        if found.sources:
            return _("Time from calfeed's own schedule {file}, checked against its sources.") \
                .format(file=found.source)
        return _("Time from calfeed's own schedule {file}.").format(file=found.source)
    if found.kind == INFERRED and found.notes:
        separator = (messages or ENGLISH).pgettext("note separator", "; ")
        why = separator.join(note_text(note, messages or ENGLISH) for note in found.notes)
        if not found.time_known:
            return _("Day inferred from {source} ({why}), time not announced, not verified.") \
                .format(source=found.source, why=why)
        return _("Time inferred from {source} ({why}), not verified.").format(
            source=found.source, why=why)
    if found.kind == INFERRED:
        return _("Time inferred from {source}, not verified.").format(source=found.source)
    return _("Time from {source}, not verified.").format(source=found.source)


def note_text(note: str, messages: gettext.NullTranslations) -> str:
    """An import note (source/bangumi.py writes them in English) in the catalogue's language;
    a note this table does not know stays as written (tests/test_provenance.py lists them)."""
    _ = messages.gettext
    known = {
        "start copied from the broadcast": _("start copied from the broadcast"),
        "no end date: airings up to four weeks ahead, then more as time passes":
            _("no end date: airings up to four weeks ahead, then more as time passes"),
        "no end date: airings up to four weeks ahead; four weeks past the dataset's newest "
        "start, a show under a year old stops at episode 13":
            _("no end date: airings up to four weeks ahead; four weeks past the dataset's "
              "newest start, a show under a year old stops at episode 13"),
        "episode numbers counted at the cadence: the dataset cannot know break weeks":
            _("episode numbers counted at the cadence: the dataset cannot know break weeks"),
        "listed by date from the slot the dataset gives: a weekly count across years of "
        "breaks would not be the episode's number":
            _("listed by date from the slot the dataset gives: a weekly count across years "
              "of breaks would not be the episode's number"),
        "the dataset gives this site's day, not its time":
            _("the dataset gives this site's day, not its time"),
        "the dataset lists the show on this site without dates":
            _("the dataset lists the show on this site without dates"),
        "the dataset's start for this site is an earlier season's: its page of the series, "
        "no dates for this one":
            _("the dataset's start for this site is an earlier season's: its page of the "
              "series, no dates for this one"),
        "the site added the series long after it began: its dates are not this show's "
        "weekly episodes":
            _("the site added the series long after it began: its dates are not this show's "
              "weekly episodes"),
        "the dataset's dates for this site cannot be placed on a long runner's weeks":
            _("the dataset's dates for this site cannot be placed on a long runner's weeks"),
        "the dataset's last airing is not on this slot: the show moved at a time the dataset "
        "does not give, and times after that are wrong":
            _("the dataset's last airing is not on this slot: the show moved at a time the "
              "dataset does not give, and times after that are wrong"),
    }
    return known.get(note, note)


def broadcast_bound(airing: Airing) -> datetime | None:
    """For an airing whose day alone is known: the instant (UTC) of the same episode's Japanese
    broadcast, which a stream does not precede; None where the show has no timed one."""
    for release in airing.show.releases:
        if release.kind in ("broadcast", "release") and release.precision == TIMED \
                and "JP" in release.regions:
            found = airing_of(airing.show, release, airing.episode.number)
            # A site whose day comes before the broadcast's streams first: the bound would
            # contradict the event's own date, so none is given.
            if found is None or found.start_utc.date() > airing.day:
                return None
            return found.start_utc
    return None


def as_json(found: Provenance) -> dict:
    return {"kind": found.kind, "source": found.source, "sources": list(found.sources),
            "notes": list(found.notes), "time_known": found.time_known,
            "text": sentence(found)}

"""What a feed calls itself (name, description), in the language of calfeed's words for `lang`."""

from __future__ import annotations

from ..i18n import release_name, translations, words_language
from ..schedule.model import Show
from ..schedule.regions import Country


def show_feed_header(show: Show, region: Country, lang: str | None) -> tuple[str, str]:
    """'メタリックルージュ（日本）' and what the feed holds; the title follows `lang` always."""
    messages = translations(lang)
    _ = messages.gettext
    place, title = region.name_in(words_language(lang)), show.name(lang)
    about = _("Every episode of {show} watchable in {region}, at the moment it can be watched "
              "there.").format(show=title, region=place)
    here = [r for r in show.releases if r.watchable_in(region.code)]
    if here and not any(r.dated for r in here):
        # Listed on a platform with no dates: the feed is right to be empty, and says why.
        names = messages.pgettext("list separator", ", ").join(release_name(r.name, messages)
                                                                  for r in here)
        about += " " + _("Listed without dates on {platforms}: no episode can be placed in "
                         "this calendar until the data gives them.").format(platforms=names)
    return _("{show} ({region})").format(show=title, region=place), about


def region_feed_header(region: Country, lang: str | None) -> tuple[str, str]:
    _ = translations(lang).gettext
    place = region.name_in(words_language(lang))
    return (_("Anime in {region} (calfeed)").format(region=place),
            _("Every episode of every show calfeed knows of that is watchable in {region}, from "
              "two weeks ago to two months ahead, at the moment it can be watched "
              "there.").format(region=place))


def my_feed_header(region: Country, shows: int, lang: str | None) -> tuple[str, str]:
    """A personal calendar's name and description (web/calendars.py)."""
    messages = translations(lang)
    place = region.name_in(words_language(lang))
    return (messages.gettext("My anime ({region}, calfeed)").format(region=place),
            messages.ngettext("The {count} show chosen for this calendar, at the moment each "
                              "episode can be watched in {region}.",
                              "The {count} shows chosen for this calendar, at the moment each "
                              "episode can be watched in {region}.", shows)
            .format(count=shows, region=place))


def left_out_note(left_out: int, max_bytes: int, lang: str | None) -> str:
    """Said after the description when the size budget dropped airings ('' when none was)."""
    if not left_out:
        return ""
    return " " + translations(lang).gettext(
        "{count} airings, the oldest past ones first, are left out to keep this feed under "
        "{size} KB, the most Google Calendar reads.").format(count=left_out,
                                                            size=max_bytes // 1000)

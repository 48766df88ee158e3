"""Message catalogues: calfeed's own words in feeds, in the language asked for (gettext, Babel)."""

from __future__ import annotations

import gettext
import re
from functools import lru_cache
from importlib import resources
from io import BytesIO

DOMAIN = "calfeed"
SOURCE_LANGUAGE = "en"   # the messages are written in English: no translation needed

# A BCP 47 tag as calfeed accepts it (ja, zh-Hans): nothing that could leave the folder.
_TAG = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")


def _folder(lang: str) -> str:
    """gettext's folder name for a tag: zh-Hans -> zh_Hans."""
    return lang.replace("-", "_")


def _locale_root():
    return resources.files("calfeed").joinpath("locale")


@lru_cache(maxsize=1)
def translated_languages() -> frozenset[str]:
    """The languages calfeed has a message catalogue for, and English: adding a .po adds a
    language."""
    root = _locale_root()
    found = {entry.name.replace("_", "-") for entry in root.iterdir()
             if entry.joinpath("LC_MESSAGES", f"{DOMAIN}.po").is_file()}
    return frozenset(found | {SOURCE_LANGUAGE})


@lru_cache(maxsize=None)   # bounded: one entry per translated_languages() member, plus None
def _compiled(lang: str | None) -> gettext.NullTranslations:
    if lang is None or lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    po = _locale_root().joinpath(_folder(lang), "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as file:
        messages = read_po(file, locale=_folder(lang), domain=DOMAIN)
    # Compiled here rather than committed as a .mo: no binary that can drift from its .po.
    # Fuzzy entries are left out, so an unreviewed translation falls back to English.
    compiled = BytesIO()
    write_mo(compiled, messages, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def words_language(lang: str | None) -> str:
    """The language calfeed's own words take for `lang` (any case): its translation's, else
    English. Names calfeed writes beside them (countries) follow it, so a line is one language."""
    if lang is None or not _TAG.fullmatch(lang):
        return SOURCE_LANGUAGE
    known = {code.lower(): code for code in translated_languages()}
    return known.get(lang.replace("_", "-").lower(), SOURCE_LANGUAGE)


def translations(lang: str | None) -> gettext.NullTranslations:
    """The translations for `lang` (any case); English as written when there are none."""
    return _compiled(words_language(lang))


# The context of the names calfeed itself gives a release (an imported broadcast's): a
# platform's own name has no entry under it, so it stays as its owner writes it.
RELEASE_NAME = "release name"


def release_name(name: str, messages: gettext.NullTranslations) -> str:
    """A release's name in the language of `messages`: calfeed's own ("Japanese TV broadcast")
    translated, a platform's (Crunchyroll) as written. The data and the API keep the English."""
    translate = messages.pgettext    # not extracted: the names are marked where they are made
    return translate(RELEASE_NAME, name)

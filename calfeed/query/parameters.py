"""Every query parameter calfeed takes, described once: routes declare them by name."""

from __future__ import annotations

from dataclasses import dataclass, field

_DATE_OR_TIME = {"anyOf": [{"type": "string", "format": "date"},
                           {"type": "string", "format": "date-time"}]}


@dataclass(frozen=True)
class Parameter:
    """A parameter's name, what it means (the OpenAPI description) and its JSON Schema.

    `repeatable`: given once per value (show=a&show=b) instead of once, comma-separated.
    """

    name: str
    description: str
    schema: dict = field(default_factory=lambda: {"type": "string"})
    repeatable: bool = False


PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("region", "ISO 3166-1 alpha-2 code, any case: selects the releases watchable there "
                        "(the earliest per episode unless release or releases says otherwise)",
              {"type": "string", "pattern": "^[A-Za-z]{2}$"}),
    Parameter("tz", "IANA time zone for local times (default: the region's zone, else UTC)"),
    Parameter("from", "Start of the window: a date (from its start in tz) or an RFC 3339 "
                      "date-time. Default: 7 days before now, or 30 days before `to` when only "
                      "`to` is given", _DATE_OR_TIME),
    Parameter("to", "End of the window: a date (included, to its end in tz) or an RFC 3339 "
                    "date-time (excluded). Default: 30 days after now, or 30 days after `from` "
                    "when only `from` is given. At most 366 days after from, or the answer is "
                    "a 400 naming 'to'", _DATE_OR_TIME),
    Parameter("show", "Show id in any case, its stable key (bgm425595) or an old id (the API "
                      "redirects those to today's id); repeat for several (show=a&show=b)",
              {"type": "array", "items": {"type": "string"}}, repeatable=True),
    Parameter("release", "Comma-separated release ids to keep; each must be watchable in the "
                         "region (the error lists the ones that are)"),
    Parameter("releases", "'all': every release, not only the earliest per episode",
              {"type": "string", "enum": ["all"]}),
    Parameter("lang", "Language of titles (BCP 47, any case), falling back to English; English "
                      "is always allowed"),
    Parameter("alarm", "Reminders: comma-separated minutes before the start, 0 to 10080, at "
                       "most 5"),
    Parameter("all_day", "1: all-day events on the date in tz (default: the region's zone)",
              {"type": "string", "enum": ["0", "1"]}),
    Parameter("past_days", "Leave out airings that ended more than this many days ago"),
    Parameter("q", "Text to find in a show's titles (any language, kana or romaji as typed), "
                   "at most 100 characters",
              {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"}),
    Parameter("limit", "Shows on a page, 1 to 200 (default 100)",
              {"type": "integer", "minimum": 1, "maximum": 200}),
    Parameter("after", "Show id the page starts after, any case (shows are in the order of "
                       "their ids; each page's `next` link gives it): letters, digits and "
                       "hyphens, at most 250",
              {"type": "string", "pattern": "^[A-Za-z0-9-]{1,250}$"}),
    Parameter("created", "1 on the edit page just after a calendar is created",
              {"type": "string", "enum": ["0", "1"]}),
    Parameter("saved", "1 on the edit page just after a change was saved",
              {"type": "string", "enum": ["0", "1"]}),
    Parameter("platform", "The calendar form's platform of a ticked show, SHOW:RELEASE (or "
                          "SHOW:earliest); repeat for several",
              {"type": "array", "items": {"type": "string"}}, repeatable=True),
    Parameter("generation", "The edit count the edit page was loaded at; its filter sends it "
                            "along, and only the page's save reads it",
              {"type": "string", "pattern": "^[0-9]{1,18}$"}),
    Parameter("done", "What the my-calendar button just did: added, removed, picked, unpicked",
              {"type": "string", "enum": ["added", "removed", "picked", "unpicked"]}),
    Parameter("before", "The platforms a show had in the calendar before the button changed "
                        "them (comma-separated), for its undo"),
)}

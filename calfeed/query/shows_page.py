"""What /api/v1/shows asks for: one page of the catalogue's shows, in the order of their ids."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Sequence

from . import values as parse
from .declare import Declaration, Values
from .parameter_error import ParameterError

SHOWS = Declaration(("limit", "after"))

# A page of 100 shows of the imported catalogue is 0.5 to 0.9 MB; the whole list was 30 MB,
# made for every request (too large for any cache) in 3 to 9 s. 200 (1.75 MB at most, measured)
# stays under the response cache's largest share (an eighth of 16 MB): every page can be kept.
DEFAULT_LIMIT = 100
MAX_LIMIT = 200
# A show id is its file's name, up to 250 characters (255 bytes less .yaml): a `next` link must
# be taken back after every show, or a client walking the pages stops there.
MAX_ID = 250
_AFTER = re.compile(r"[A-Za-z0-9-]+")


@dataclass(frozen=True)
class ShowsPage:
    limit: int = DEFAULT_LIMIT
    after: str | None = None        # a show id, lower case: the page starts after it


def parse_shows_page(values: Values) -> ShowsPage:
    limit = (parse.whole_number(values.get("limit"), "limit", 1, MAX_LIMIT)
             if "limit" in values else DEFAULT_LIMIT)
    after = values.get("after")
    if after is not None and len(after) > MAX_ID:
        raise ParameterError("after", f"after is {len(after)} characters long: a show id has "
                                      f"at most {MAX_ID}; use the `next` link of the page before")
    if after is not None and not _AFTER.fullmatch(after):
        raise ParameterError("after", f"after '{after[:40]}' is not a show id: use the `next` "
                                      "link of the page before, or leave after out for the "
                                      "first page")
    return ShowsPage(limit=limit, after=after.lower() if after else None)


def page_of(ids: Sequence[str], page: ShowsPage) -> tuple[Sequence[str], str | None]:
    """The ids on the page (`ids` sorted) and the id the next page starts after, or None on
    the last page. A cursor, not an offset: a show added or removed between two requests
    neither repeats nor skips another, and an id that left the catalogue still works."""
    start = bisect_right(ids, page.after) if page.after is not None else 0
    chosen = ids[start:start + page.limit]
    return chosen, (chosen[-1] if start + page.limit < len(ids) else None)

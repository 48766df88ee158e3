"""Edit keys kept out of granian's access log: /calendars/{edit key} is logged as EDIT-KEY."""

from __future__ import annotations

import logging
import re

# Every /calendars/{x} but the form's own addresses: whoever reads the log must not be able to
# change or delete the calendar (docs/security.md). deploy/nginx/proxy-cache.conf's `map` does
# the same for nginx's log.
EDIT_KEY = re.compile(r"^/calendars/(?!(?:new|import|mine|shows\.json)(?:$|[/?]))[^/?]+")
HIDDEN = "/calendars/EDIT-KEY"


def hide_edit_key(path: str) -> str:
    return EDIT_KEY.sub(HIDDEN, path, count=1)


class HideEditKeys(logging.Filter):
    """On granian's `granian.access` logger (deploy/granian-logging.json): its records carry
    the request's parts as a dict, formatted only when written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict) and isinstance(record.args.get("path"), str):
            record.args = {**record.args, "path": hide_edit_key(record.args["path"])}
        return True

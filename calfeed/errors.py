"""Errors of the domain: a problem in a schedule file, and a catalog that failed to load."""

from __future__ import annotations


class ScheduleError(ValueError):
    """One problem in one schedule file, at a line and column (both counted from 1)."""

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.message = message


class CatalogError(ValueError):
    """A set of schedule files that cannot be served, with every problem found."""

    def __init__(self, errors: list[ScheduleError]):
        self.errors = tuple(sorted(errors, key=lambda e: (e.path, e.line, e.column)))
        super().__init__("\n".join(str(e) for e in self.errors))


class NotFound(LookupError):
    """No such thing to serve: an unknown show, or one not watchable in the region asked for."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExpansionError(ValueError):
    """A release whose airings cannot be placed in time (a wall time in a DST gap)."""

    def __init__(self, release_id: str, message: str, *, moved_episode: int | None = None):
        super().__init__(message)
        self.release_id = release_id
        self.moved_episode = moved_episode
        self.message = message

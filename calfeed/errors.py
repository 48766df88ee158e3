"""Errors of the domain: a problem in or of a schedule file, and a catalogue that failed to load."""

from __future__ import annotations


class FileError(ValueError):
    """A problem of a whole file or folder, at no line of it: missing, unreadable, too large,
    empty or misnamed, a folder that would shrink. Said as `path: message`, with no position
    that would send a reader to a line the problem is not on."""

    def __init__(self, path: str, message: str):
        super().__init__(path, message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def order(self) -> tuple:
        """Where it is listed among several: by path, a whole file's problems first."""
        return (self.path, 0, 0)


class ScheduleError(FileError):
    """One problem at a line and column of one file (both counted from 1), said as
    `path:line:column: message`, the form editors jump to."""

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(path, message)
        self.args = (path, line, column, message)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"

    def order(self) -> tuple:
        return (self.path, self.line, self.column)


class CatalogueError(ValueError):
    """A set of schedule files that cannot be served, with every problem found."""

    def __init__(self, errors: list[FileError]):
        self.errors = tuple(sorted(errors, key=lambda e: e.order()))
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

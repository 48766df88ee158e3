"""Reading one schedule file into a YAML node tree, refusing hostile or malformed input early."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import CatalogueError, FileError, ScheduleError

# libyaml's loader is about ten times faster; the pure-Python one gives the same nodes.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
# Aliases let a tiny file stand for billions of values (the "billion laughs"); a
# schedule of 2,000 episodes with titles in a few languages stays far below this.
MAX_VALUES = 100_000

# C0 and C1 controls but tab, line feed and carriage return, and the Unicode line and paragraph
# separators, which break calendar parsers (a NUL made three of them drop the whole feed).
# Refused in the file as written, and in values as decoded: YAML escapes such as "\x00" or "\e"
# write them in plain text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_SEPARATORS = {"\u2028": "line separator", "\u2029": "paragraph separator"}


def read_limited(path: Path) -> bytes:
    """A file's bytes, but never more than one byte past the limit (a huge file is not read)."""
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


def read_schedule_node(data: bytes, shown_as: str) -> yaml.MappingNode:
    """Return the top-level mapping node of a schedule file's bytes, or raise ScheduleError
    (FileError for a problem of the whole file, at no line of it)."""
    def fail(line: int | None, column: int | None, message: str) -> FileError:
        if line is None:
            return FileError(shown_as, message)
        return ScheduleError(shown_as, line, column, message)

    if len(data) > MAX_BYTES:
        raise fail(None, None, f"file is over the {MAX_BYTES} byte limit for one schedule: "
                               "keep one season per file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise fail(line, column, f"file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be "
                                 "decoded): save it as UTF-8") from None
    control = _CONTROL.search(text)
    if control:
        line, column = _position(text, control.start())
        what = _SEPARATORS.get(control.group(), "control character")
        raise fail(line, column, f"file holds the {what} U+{ord(control.group()):04X}"
                                 " (binary data?): a schedule is plain UTF-8 text")
    if not text.strip() or all(l.lstrip().startswith("#") or not l.strip()
                               for l in text.splitlines()):
        raise fail(None, None, "file is empty: a schedule needs at least 'title', 'episodes' "
                               "and 'releases'")
    try:
        _check_shape(text, fail)
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, fail) from None
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        mark = node.start_mark if node is not None else None
        raise fail(mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                   f"the top level must be a mapping of keys such as 'title:' and "
                   f"'episodes:', not {kind}")
    if "\\" in text:     # only a double-quoted escape can write what the check above missed
        _check_decoded_text(node, fail)
    return node


def compose_data_file(path: Path) -> yaml.Node | None:
    """A YAML table of calfeed's own (the site table, the id aliases) as a node tree, None when
    empty; a CatalogueError naming the file and line when it is not valid YAML."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        message = f"not valid YAML: {exc}"
        raise CatalogueError([ScheduleError(str(path), mark.line + 1, mark.column + 1, message)
                            if mark else FileError(str(path), message)]) from None


def _check_decoded_text(root: yaml.Node, fail) -> None:
    """Refuse control characters in any key or value as YAML decodes it (a walk with a stack:
    no recursion; each node once, however many aliases point at it)."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found = _CONTROL.search(node.value)
            if found:
                char = found.group()
                what = _SEPARATORS.get(char, "control character")
                raise fail(node.start_mark.line + 1, node.start_mark.column + 1,
                           f"a value holds the {what} U+{ord(char):04X} (written as an escape "
                           "such as \\x00 or \\e?): remove it; schedules are plain text")
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        else:
            stack.extend(node.value)


def _check_shape(text: str, fail) -> None:
    """Walk the event stream (no recursion, no values built) for documents, depth and size."""
    documents = 0
    stack: list[list] = []           # [values so far, anchor] per open collection
    anchored: dict[str, int] = {}    # anchor name -> number of values it stands for
    total = 0
    aliases = False
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise fail(event.start_mark.line + 1, event.start_mark.column + 1,
                           "file holds several YAML documents ('---'): keep one show per file")
            continue
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise fail(event.start_mark.line + 1, event.start_mark.column + 1,
                           f"values are nested more than {MAX_DEPTH} levels deep: a schedule "
                           "never needs that")
            stack.append([1, event.anchor])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            count, anchor = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            count, anchor = 1, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            count, anchor, aliases = anchored.get(event.anchor, 1), None, True
        else:
            continue
        if anchor:
            anchored[anchor] = count
        if stack:
            stack[-1][0] += count
        total = max(total, count, stack[-1][0] if stack else 0)
        if total > MAX_VALUES:
            raise fail(event.start_mark.line + 1, event.start_mark.column + 1,
                       f"aliases make this file stand for more than {MAX_VALUES} values: "
                       "refused as an alias bomb; write the values out instead" if aliases else
                       f"file holds more than {MAX_VALUES} values: a schedule never needs "
                       "that many; keep one season per file")


def _syntax_error(exc: yaml.MarkedYAMLError, fail) -> FileError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "malformed YAML"
    hint = "fix the YAML syntax"
    if "\\t" in problem or "'\\t'" in str(exc) or "tab" in problem:
        hint = "indent with spaces, not tabs"
    context = f" {exc.context}" if exc.context else ""
    if exc.context_mark and mark and exc.context_mark.line != mark.line:
        context += (f" that began on line {exc.context_mark.line + 1}, column "
                    f"{exc.context_mark.column + 1}")
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return fail(line, column, f"YAML syntax error: {problem}{context}: {hint}")


def _position(data, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of an offset into bytes or text."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1
    column = offset - (data.rfind(newline, 0, offset) + 1) + 1
    return line, column

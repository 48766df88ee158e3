"""Two workers meet one damaged calendars file: whenever one sets it aside while the other is
opening it, both report the same damage (503, Retry-After 300, the note), and neither makes a
new file in its place. Flask-free: the stores themselves, the other worker's whole start run
at a chosen step of this one's (no sleeps, no luck)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from calfeed.calendars.faults import Unavailable, note_path
from calfeed.calendars.store import CalendarStore

FEED = "0123456789abcdefghijkl"


@pytest.fixture
def path(tmp_path) -> Path:
    """A calendars file that held calendars, then was written over with random bytes."""
    path = tmp_path / "calendars.sqlite3"
    store = CalendarStore(str(path))
    store.create({"region": "JP", "shows": {"metallic-rouge": None}, "lang": None,
                  "alarms": []}, "192.0.2.1")
    store.close()
    path.write_bytes(os.urandom(32 * 1024))
    return path


def meanwhile(monkeypatch, owner, name: str, other, *, after: bool = False) -> list:
    """Run `other` once, at the first call of `owner.name` from now on: just before that call,
    or just after it returns. What the returned list holds tells that it ran."""
    real, ran, pending = getattr(owner, name), [], [other]

    def hooked(*args, **kwargs):
        if not pending:     # the other worker's own calls, and this one's later ones
            return real(*args, **kwargs)
        run = pending.pop()
        if not after:
            ran.append(run())
            return real(*args, **kwargs)
        result = real(*args, **kwargs)
        ran.append(run())
        return result
    monkeypatch.setattr(owner, name, hooked)
    return ran


def the_damage(store: CalendarStore) -> tuple[int, str, str | None]:
    with pytest.raises(Unavailable) as raised:
        store.feed(FEED)
    return raised.value.retry_after, raised.value.message, store.problem()


def assert_set_aside_once_and_nothing_made(path: Path, stores) -> None:
    note = Path(note_path(str(path))).read_text().splitlines()[0]
    aside = sorted(p.name for p in path.parent.glob("calendars.sqlite3.damaged-*"))
    assert len(aside) == 1 and aside[0] in note
    answers = {the_damage(store) for store in stores}
    assert len(answers) == 1, answers      # every worker says the same
    retry, message, problem = answers.pop()
    assert retry == 300 and "damaged" in message and problem == note
    assert [store.file.faults.reason for store in stores] == [None] * len(stores)
    # Nothing where the file was: no empty database, no write-ahead log, no shared memory.
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        [aside[0], Path(note_path(str(path))).name])


# Where, in this worker's start, the other worker's whole start (which sets the file aside)
# runs: (what is wrapped, the call, after it returns rather than before).
STEPS = {
    "before its first look": None,
    "after its look at the note, before its look at the file": (os.path, "exists", False),
    "after it saw the file, before opening it": (sqlite3, "connect", False),
    "after it opened the file, before reading it": (sqlite3, "connect", True),
}


@pytest.mark.parametrize("step", STEPS)
def test_a_worker_starting_while_another_sets_the_damaged_file_aside_reports_the_damage(
        path, monkeypatch, step):
    others = []

    def other_worker_starts():
        others.append(CalendarStore(str(path)))
        assert not path.exists()        # it did set the file aside
        return True

    if STEPS[step] is None:
        other_worker_starts()
        this = CalendarStore(str(path))
    else:
        owner, name, after = STEPS[step]
        ran = meanwhile(monkeypatch, owner, name, other_worker_starts, after=after)
        this = CalendarStore(str(path))
        monkeypatch.undo()
        assert ran == [True]
    assert_set_aside_once_and_nothing_made(path, [this, *others])


def test_a_worker_already_serving_reports_the_damage_once_another_set_the_file_aside(path):
    """A worker that started on a good file and opens a new connection (a new thread, or
    after a fault) once a restarted one has set the damaged file aside."""
    path.unlink()
    serving = CalendarStore(str(path))
    assert serving.feed(FEED) is None
    serving.close()          # its next use opens a new connection, as a new thread would
    path.write_bytes(os.urandom(32 * 1024))
    restarted = CalendarStore(str(path))
    assert_set_aside_once_and_nothing_made(path, [serving, restarted])


def test_a_worker_starting_once_the_file_is_set_aside_makes_no_new_one(path):
    CalendarStore(str(path))
    later = CalendarStore(str(path))
    assert_set_aside_once_and_nothing_made(path, [later])

"""Curated schedules win: the imported shows that no curated file already stands for."""

from __future__ import annotations

from typing import Mapping

from ..schedule.model import Show


def with_imported(curated: Mapping[str, Show], imported: Mapping[str, Show]) -> dict[str, Show]:
    """The curated shows, then every imported show no curated file replaces, by id.

    A curated file replaces an imported show when it names the same bangumi.tv subject in
    `ids:` (so the two share a uid_key and subscribers keep their events); an imported show
    whose id a curated file happens to use, for another subject, keeps its subject in its id.
    """
    curated_subjects = {s.ids["bangumi"] for s in curated.values() if s.ids.get("bangumi")}
    shows = dict(curated)
    for show_id, show in imported.items():
        if show.ids.get("bangumi") in curated_subjects:
            continue
        if show_id in shows:
            show_id = f"{show_id}-bgm{show.ids.get('bangumi', 'x')}"
        shows[show_id] = show if show.id == show_id else _renamed(show, show_id)
    return shows


def _renamed(show: Show, show_id: str) -> Show:
    from dataclasses import replace
    return replace(show, id=show_id)

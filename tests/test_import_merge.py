"""Curated files win over imported shows naming the same bangumi.tv subject."""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from calfeed.schedule.model import Episode, Release, Show
from calfeed.schedule.show_file import load_show
from calfeed.schedule.wallclock import parse_wall_time
from calfeed.source.merge import with_imported

BUNDLED = Path(__file__).resolve().parents[1] / "schedules"


def imported(show_id: str, subject: str) -> Show:
    release = Release(id="jp-broadcast", name="Japanese TV broadcast", kind="broadcast",
                      regions=frozenset({"JP"}), timezone=ZoneInfo("Asia/Tokyo"),
                      start=parse_wall_time("2024-01-11 01:25"), provenance="dataset")
    return Show(id=show_id, title={"en": show_id}, episodes=(Episode(1),), releases=(release,),
                duration=timedelta(minutes=30), ids={"bangumi": subject})


def test_a_curated_file_naming_the_subject_replaces_the_imported_show():
    metallic = load_show(BUNDLED / "metallic-rouge.yaml")
    shows = with_imported({"metallic-rouge": metallic},
                          {"metallic-rouge": imported("metallic-rouge", "425595"),
                           "other": imported("other", "1")})
    assert shows["metallic-rouge"] is metallic and set(shows) == {"metallic-rouge", "other"}
    assert shows["metallic-rouge"].uid_key == "bgm425595"


def test_an_imported_show_whose_id_is_taken_by_another_subject_keeps_its_subject_in_its_id():
    metallic = load_show(BUNDLED / "metallic-rouge.yaml")
    shows = with_imported({"metallic-rouge": metallic},
                          {"metallic-rouge": imported("metallic-rouge", "999")})
    assert shows["metallic-rouge"] is metallic
    assert shows["metallic-rouge-bgm999"].id == "metallic-rouge-bgm999"

"""Synthetic schedules for scale tests: realistic shapes, made-up shows, the same for a seed.

Each show has a late-night Tokyo broadcast, a stream that follows it, and sometimes a US
broadcast or a European stream on schedules of their own; some weeks are skipped and some
episodes moved, and every title comes in English and Japanese.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import yaml

from .show_file import MAX_EPISODES

EN_WORDS = ("Crimson", "Silver", "Eternal", "Hidden", "Lost", "Iron", "Star", "Moon", "Spirit",
            "Blade", "Garden", "Signal", "Harbor", "Summer", "Winter", "Echo", "Clockwork",
            "Paper", "Neon", "Ghost", "Academy", "Dragon", "Railway", "Orbit", "Lantern")
JA_PARTS = ("紅", "銀", "永遠", "秘密", "鉄", "星", "月", "魂", "刃", "庭", "信号", "港", "夏", "冬",
            "残響", "時計", "紙", "亡霊", "学園", "竜", "鉄道", "軌道", "灯籠", "の", "と", "物語",
            "メタル", "ルージュ", "スター", "ライト", "ゲート", "コード", "ブルー")
STUDIOS = ("Bones", "Madhouse", "Production I.G", "Sunrise", "Wit Studio", "MAPPA", "Trigger",
           "Kyoto Animation", "Shaft", "David Production")
SEASON_STARTS = tuple(date(year, month, 1) for year in (2024, 2025, 2026) for month in
                      (1, 4, 7, 10))
STREAM_REGIONS = ({"include": ["world"], "exclude": ["asia"]}, ["americas"],
                  {"include": ["europe", "oceania", "africa"]}, ["US", "CA", "GB", "AU"])


def _title(rng: random.Random, words: int) -> tuple[str, str]:
    english = " ".join(rng.sample(EN_WORDS, words))
    japanese = "".join(rng.choice(JA_PARTS) for _ in range(words + 2))
    return english, japanese


# A long runner (a weekly show on air for decades) has 1,000 to MAX_EPISODES episodes; like
# bangumi-data's, it has titles for its first episodes only.
LONG_RUNNER_TITLES = 20


def synthetic_show(index: int, rng: random.Random, long_runner: bool = False) -> dict:
    count = rng.choice((12, 12, 13, 13, 24, 25, 10, 11))
    first = 13 if rng.random() < 0.2 else 1
    season = rng.choice(SEASON_STARTS)
    day = season + timedelta(days=rng.randrange(14))
    if long_runner:
        count, first = rng.randrange(1000, MAX_EPISODES + 1), 1
        day -= timedelta(weeks=count - 12)   # started long ago, still on air
    minutes = rng.randrange(22 * 60, 27 * 60 + 30, 5)       # 22:00 to 27:25, late night
    start = f"{day.isoformat()} {minutes // 60:02d}:{minutes % 60:02d}"
    slots = [day + timedelta(weeks=k) for k in range(count + 2)]
    skips = sorted(rng.sample(slots[1:count], rng.choice((0, 0, 1, 2))))
    numbers = range(first, first + count)
    moved = rng.choice(numbers)
    en, ja = _title(rng, 2)
    broadcast = {"id": "tokyo-tv", "name": rng.choice(("Tokyo MX", "TBS", "Fuji TV", "TV Tokyo")),
                 "kind": "broadcast", "regions": ["JP"], "timezone": "Asia/Tokyo",
                 "start": start, "every": "1 week"}
    if skips:
        broadcast["skip"] = [s.isoformat() for s in skips]
    if rng.random() < 0.4:
        later = slots[min(len(slots) - 1, moved - first + len(skips))]
        broadcast["moves"] = [{"episode": moved, "to": f"{later.isoformat()} 26:15"}]
    releases = [broadcast, {
        "id": "stream", "name": rng.choice(("Crunchyroll", "HIDIVE", "Netflix", "Prime Video")),
        "kind": "streaming", "regions": rng.choice(STREAM_REGIONS), "follows": "tokyo-tv",
        "offset": rng.choice(("0", "30m", "1h", "2h30m"))}]
    if rng.random() < 0.5:
        releases.append({"id": "us-tv", "name": "Toonami", "kind": "broadcast", "regions": ["US"],
                         "timezone": "America/New_York",
                         "start": f"{(day + timedelta(days=30)).isoformat()} 24:00"})
    if rng.random() < 0.5:
        releases.append({"id": "eu-stream", "name": "ADN", "kind": "streaming",
                         "regions": ["FR", "DE", "AT", "CH", "BE"], "timezone": "Europe/Paris",
                         "start": f"{(day + timedelta(days=1)).isoformat()} 18:00"})
    return {
        "title": {"en": f"{en} {index}", "ja": ja},
        "studio": rng.choice(STUDIOS),
        "sources": ["synthetic: made up by calfeed synth for scale tests"],
        "episodes": {"count": count, "first": first, "duration": rng.choice(("30m", "24m")),
                     "titles": {n: dict(zip(("en", "ja"), _title(rng, rng.randint(2, 4)), strict=False))
                                for n in numbers[:LONG_RUNNER_TITLES if long_runner else None]}},
        "releases": releases,
    }


def write_synthetic(count: int, directory: Path, seed: int = 1,
                    long_runners: int = 0) -> list[Path]:
    """Write `count` synthetic schedules into a folder, the first `long_runners` of them long
    runners; the same seed writes the same files."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(1, count + 1):
        path = directory / f"synthetic-{index:04d}.yaml"
        show = synthetic_show(index, rng, long_runner=index <= long_runners)
        path.write_text(yaml.safe_dump(show, allow_unicode=True,
                                       sort_keys=False), encoding="utf-8")
        written.append(path)
    return written

"""What the serving core reads of the settings, made once from the app's configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..calendars.rules import Limits


@dataclass(frozen=True)
class Settings:
    """The settings the `Service` runs on (config.py documents each), with the instance
    folder's defaults filled in: the service never reads the configuration mapping itself."""

    schedules_dir: Path
    state_path: str                 # the SQLite revisions file, and the files beside it
    dataset_dir: Path
    calendars_path: str
    import_on: bool
    import_path: str                # empty: the pinned package
    reload_interval: float          # 0: no reloader
    reload_settle_seconds: float
    catch_up_seconds: float
    shrink_limit: float
    memo_max_bytes: int
    freeze_heap: bool
    dataset_update_hours: float     # 0: no automatic checks
    calendar_limits: Limits

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], instance: str) -> Settings:
        """From the app's configuration (config.load_config, which refused what is not a
        number); the files whose setting is empty go in the `instance` folder."""
        return cls(
            schedules_dir=Path(config["SCHEDULES_DIR"]),
            state_path=config["STATE_PATH"] or os.path.join(instance, "state.sqlite3"),
            dataset_dir=Path(config["DATASET_DIR"] or os.path.join(instance, "datasets")),
            calendars_path=config["CALENDARS_PATH"] or os.path.join(instance,
                                                                    "calendars.sqlite3"),
            # A number, as config.py makes every setting whose default is one: 0 is off.
            import_on=bool(config["IMPORT"]),
            import_path=str(config["IMPORT_PATH"] or ""),
            reload_interval=float(config["RELOAD_INTERVAL"]),
            reload_settle_seconds=float(config["RELOAD_SETTLE_SECONDS"]),
            catch_up_seconds=float(config["CATCH_UP_SECONDS"]),
            shrink_limit=float(config["SHRINK_LIMIT"]),
            memo_max_bytes=int(config["MEMO_MAX_BYTES"]),
            freeze_heap=bool(config["FREEZE_HEAP"]),
            dataset_update_hours=float(config["DATASET_UPDATE_HOURS"]),
            calendar_limits=Limits(max_shows=config["CALENDAR_MAX_SHOWS"],
                                   creations_per_hour=config["CALENDAR_CREATIONS_PER_HOUR"],
                                   max_total_bytes=config["CALENDARS_MAX_BYTES"]))

    @property
    def readings_path(self) -> str:
        """Title readings kept beside the state database, so that a restart does not read
        the whole catalogue's titles again."""
        return os.path.join(os.path.dirname(self.state_path) or ".", "title-readings.json")

    def update_environment(self) -> dict[str, str]:
        """The settings the dataset update's child process must see (a test's own values
        included, not only the environment's)."""
        return {"CALFEED_DATASET_DIR": str(self.dataset_dir),
                "CALFEED_IMPORT_PATH": self.import_path,
                "CALFEED_SHRINK_LIMIT": str(self.shrink_limit)}

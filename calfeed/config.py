"""Settings: defaults, then CALFEED_* environment variables, then a test's own values."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Config

# The schedules that ship with the repository; a deployment points CALFEED_SCHEDULES_DIR
# at its own folder.
BUNDLED_SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"

DEFAULTS: dict[str, Any] = {
    "SCHEDULES_DIR": str(BUNDLED_SCHEDULES),
}


def load_config(test_config: Mapping[str, Any] | None = None) -> Config:
    """The settings in force, in the order the app factory applies them."""
    config = Config(str(BUNDLED_SCHEDULES.parent))
    config.from_mapping(DEFAULTS)
    config.from_prefixed_env("CALFEED")
    if test_config:
        config.update(test_config)
    return config

"""The code of an earlier commit, unpacked in a folder of its own, to measure side by side."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checkout(ref: str, folder: Path) -> Path:
    """The code of `ref` in a folder of its own (git archive), to run it side by side."""
    target = folder / "before"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target

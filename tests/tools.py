"""Tools the tests need from the system: with CI set, a missing one fails the test, never skips it."""

from __future__ import annotations

import os
import shutil

import pytest


def require(program: str, install_hint: str) -> str:
    path = shutil.which(program)
    if path:
        return path
    missing(f"{program} is needed for this test: {install_hint} (bash .ci/run installs it)")


def missing(message: str):
    """Something the test needs is not on this machine: with CI set a failure, else a skip."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_file(path, install_hint: str):
    """A file a tool installs (an npm package): with CI set, missing fails the test."""
    if path.exists():
        return path
    missing(f"{path} is needed for this test: {install_hint}")

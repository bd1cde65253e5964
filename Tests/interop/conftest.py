"""Shared fixtures for the interop tests (ONNX Runtime / LiteRT as reference clients).

Run with:  .venv/bin/python -m pytest Tests/interop
The JumpStation binary is taken from $JUMPSTATION_BIN, default .build/debug/jumpstation (relative to
the repository root); tests that need it skip with a message when it is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_MODELS = REPO_ROOT / "Tests" / "Fixtures" / "models"
SAMPLE_DATA = REPO_ROOT / "tutorials" / "data"


def jumpstation_path() -> Path:
    """The binary under test: $JUMPSTATION_BIN (relative paths are taken from the repo root)."""
    configured = os.environ.get("JUMPSTATION_BIN", ".build/debug/jumpstation")
    path = Path(configured)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def jumpstation() -> Path:
    """Path of the JumpStation executable; skips the test when it has not been built."""
    path = jumpstation_path()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.skip(
            f"JumpStation binary not found at {path}: build it with `swift build` "
            "or point JUMPSTATION_BIN at it"
        )
    return path

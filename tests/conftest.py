"""Fixtures for the whole suite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.paths import EXAMPLE_TEST_DIR


@pytest.fixture
def opt_ml(tmp_path: Path) -> Path:
    """A fresh copy of the example's local_test/test_dir: an /opt/ml tree to train in."""
    root = tmp_path / "opt_ml"
    shutil.copytree(EXAMPLE_TEST_DIR, root)
    return root

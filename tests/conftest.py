"""Fixtures for the whole suite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.paths import EXAMPLE_PROGRAM, EXAMPLE_TEST_DIR

from byoc_toolkit.testing import TrainingResult, run_training


@pytest.fixture
def opt_ml(tmp_path: Path) -> Path:
    """A fresh copy of the example's local_test/test_dir: an /opt/ml tree to train in."""
    root = tmp_path / "opt_ml"
    shutil.copytree(EXAMPLE_TEST_DIR, root)
    return root


@pytest.fixture(scope="session")
def trained_example(tmp_path_factory: pytest.TempPathFactory) -> TrainingResult:
    """The example trained in this process on its local_test data, with the testing kit."""
    result = run_training(EXAMPLE_PROGRAM, root=tmp_path_factory.mktemp("opt_ml"),
                          channels={"training": EXAMPLE_TEST_DIR / "input/data/training"})
    assert result.succeeded, result.log
    return result

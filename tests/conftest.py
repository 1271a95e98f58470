"""Fixtures for the whole suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from support.docker import container_engine, docker, docker_unavailable
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


@pytest.fixture(scope="session")
def base_image() -> str:
    """The local Debian base image: BYOC_BASE_IMAGE, else the one container-engine makes."""
    name = os.environ.get("BYOC_BASE_IMAGE") or container_engine()
    if shutil.which("docker") is None:
        docker_unavailable("no docker command on PATH")
    engine = docker("info", check=False)
    if engine.returncode != 0:
        docker_unavailable(f"no Docker engine answers: {engine.stderr.strip()[-300:]}")
    if docker("image", "inspect", name, check=False).returncode != 0:
        docker_unavailable(f"base image {name} is not in the local engine")
    return name

"""Fixtures shared by the whole suite: the example's paths and running ``byoc`` for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_DIR = REPO / "examples" / "decision_trees"
EXAMPLE_PROGRAM = EXAMPLE_DIR / "decision_trees.py"
EXAMPLE_TEST_DIR = EXAMPLE_DIR / "local_test" / "test_dir"
PAYLOAD_CSV = EXAMPLE_DIR / "local_test" / "payload.csv"
PROGRAMS = Path(__file__).resolve().parent / "programs"
BYOC = str(Path(sys.executable).with_name("byoc"))


@pytest.fixture
def opt_ml(tmp_path: Path) -> Path:
    """A fresh copy of the example's local_test/test_dir: an /opt/ml tree to train in."""
    root = tmp_path / "opt_ml"
    shutil.copytree(EXAMPLE_TEST_DIR, root)
    return root


def run_byoc(*args: str, root: Path | None = None, env: dict[str, str] | None = None,
             timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """``byoc ARGS`` as a subprocess, with SAGEMAKER_BASE_DIR at ``root``."""
    full_env = {k: v for k, v in os.environ.items() if k != "BYOC_PROGRAM"}
    full_env.update(env or {})
    if root is not None:
        full_env["SAGEMAKER_BASE_DIR"] = str(root)
    return subprocess.run([BYOC, *args], env=full_env, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def failure_text(root: Path) -> str:
    return (root / "output" / "failure").read_text()

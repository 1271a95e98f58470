"""The documentation site, built once per session as CI builds it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import REPO

MKDOCS = str(Path(sys.executable).with_name("mkdocs"))


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``mkdocs build --strict`` into a temporary directory: any broken link, anchor,
    reference or snippet fails it."""
    directory = tmp_path_factory.mktemp("site")
    built = subprocess.run([MKDOCS, "build", "--strict", "--site-dir", str(directory)],
                           cwd=REPO, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr[-4000:]
    return directory

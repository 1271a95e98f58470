"""``byoc init``: the new project's own tests pass as generated, it builds with ``byoc
build``, and the image passes ``byoc check``."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.commands import run_byoc
from support.docker import checkout_image

pytestmark = pytest.mark.docker


def test_init_then_pytest_build_and_check(tmp_path: Path, base_image: str,
                                          toolkit_wheel: Path) -> None:
    project = tmp_path / "churn-model"
    tag = checkout_image("init-project:latest")

    created = run_byoc("init", str(project))
    assert created.returncode == 0, created.stderr
    assert {Path(line).relative_to(project).as_posix()
            for line in created.stdout.splitlines()} >= {
        "program.py", "requirements.txt", "README.md", "tests/test_program.py",
        "local_test/payload.csv", "local_test/test_dir/input/config/hyperparameters.json",
        "local_test/test_dir/input/config/inputdataconfig.json",
        "local_test/test_dir/input/config/resourceconfig.json"}
    assert "byoc build . --tag churn-model" in (project / "README.md").read_text()

    tested = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=project, capture_output=True, text=True, timeout=600)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "5 passed" in tested.stdout, tested.stdout

    started = time.monotonic()
    built = run_byoc("build", str(project), "--tag", tag, "--base-image", base_image,
                     "--wheel", str(toolkit_wheel), "--network", "host", timeout=900)
    assert built.returncode == 0, built.stderr[-4000:]
    print(f"built {tag} in {time.monotonic() - started:.0f} s")

    # No --train-dir: byoc check reads the @train_fn in the image and makes up its data.
    checked = run_byoc("check", tag, timeout=900)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[-1].startswith("16 PASS, 0 FAIL, 0 SKIP")
    assert "while reading its Pipe-mode channel training" in checked.stdout


def test_init_refuses_a_directory_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")

    result = run_byoc("init", str(tmp_path))

    assert result.returncode == 2
    assert result.stderr.strip() == (f"Error: {tmp_path} already exists and is not an empty "
                                     "directory")
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]

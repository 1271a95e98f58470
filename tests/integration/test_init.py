"""``byoc init``: the project it writes, and its refusals. That the project's own tests pass as
generated, that it builds with ``byoc build`` and that the image passes every clause of
``byoc check`` is the tutorial's test, which follows those steps from a fresh directory
(tests/integration/test_docs_tutorial.py)."""

from __future__ import annotations

from pathlib import Path

from support.commands import run_byoc


def test_init_writes_a_project_named_after_its_directory(tmp_path: Path) -> None:
    project = tmp_path / "churn-model"

    created = run_byoc("init", str(project))

    assert created.returncode == 0, created.stderr
    assert {Path(line).relative_to(project).as_posix()
            for line in created.stdout.splitlines()} >= {
        "program.py", "requirements.txt", "README.md", "tests/test_program.py",
        "local_test/payload.csv", "local_test/test_dir/input/config/hyperparameters.json",
        "local_test/test_dir/input/config/inputdataconfig.json",
        "local_test/test_dir/input/config/resourceconfig.json"}
    assert "byoc build . --tag churn-model" in (project / "README.md").read_text()


def test_init_refuses_a_directory_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")

    result = run_byoc("init", str(tmp_path))

    assert result.returncode == 2
    assert result.stderr.strip() == (f"Error: {tmp_path} already exists and is not an empty "
                                     "directory")
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]

"""The testing kit against the real server: LocalEndpoint runs ``byoc serve`` and answers as
InProcessEndpoint does; the pytest plugin's fixtures, and the testing guide's example test,
in projects of their own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.doc_fences import DOCS, fences
from support.paths import (
    EXAMPLE_DIR,
    EXAMPLE_PROGRAM,
    EXAMPLE_TEST_DIR,
    PAYLOAD_CSV,
    PROGRAMS,
)

from byoc_toolkit.testing import (
    EndpointError,
    InProcessEndpoint,
    LocalEndpoint,
    TrainingResult,
)

PAYLOAD = PAYLOAD_CSV.read_bytes()
REQUESTS = [
    (PAYLOAD, {"Content-Type": "text/csv", "Accept": "application/json"}),
    (PAYLOAD, {"content-type": "text/csv", "accept": "application/jsonlines"}),
    (PAYLOAD, {"CONTENT-TYPE": "text/csv; charset=utf-8"}),
    (b"1,2,3,4\n5,6\n", {"content-type": "text/csv"}),
    (b"1,2\n", {"Content-Type": "text/csv"}),
    (PAYLOAD, {"content-type": "image/png"}),
    (PAYLOAD, {}),
]


@pytest.mark.java
def test_local_endpoint_answers_as_the_in_process_one(trained_example: TrainingResult) -> None:
    with InProcessEndpoint(EXAMPLE_PROGRAM, trained_example.model_dir) as in_process:
        expected = [in_process.invoke(body, headers=headers) for body, headers in REQUESTS]
    with LocalEndpoint(EXAMPLE_PROGRAM, trained_example.model_dir) as local:
        assert local.ping().status == 200
        answers = [local.invoke(body, headers=headers) for body, headers in REQUESTS]

    for (_, headers), want, got in zip(REQUESTS, expected, answers, strict=True):
        assert (got.status, got.headers["content-type"], got.body) == \
            (want.status, want.headers["Content-Type"], want.body), headers


@pytest.mark.java
def test_local_endpoint_that_cannot_load_says_why(trained_example: TrainingResult) -> None:
    endpoint = LocalEndpoint(PROGRAMS / "unloadable_model.py", trained_example.model_dir)

    with pytest.raises(EndpointError, match="(?s)exited with status 1 before it was ready.*"
                                            "weights are corrupt"):
        endpoint.open()


PLUGIN_TEST = f'''
import pandas as pd
from byoc_toolkit.testing import run_training

PROGRAM = {str(EXAMPLE_PROGRAM)!r}
IRIS = {str(EXAMPLE_TEST_DIR / "input/data/training/iris.csv")!r}


def test_tree_and_endpoint(byoc_tree, byoc_endpoint):
    byoc_tree.write_hyperparameters({{"max_leaf_nodes": 4}})
    byoc_tree.add_channel("training", pd.read_csv(IRIS, header=None))
    result = run_training(PROGRAM, root=byoc_tree.root)
    assert result.succeeded, result.log
    endpoint = byoc_endpoint(PROGRAM, result.model_dir)
    response = endpoint.invoke(b"5.1,3.5,1.4,0.2", headers={{"content-type": "text/csv"}})
    assert (response.status, response.text) == (200, "setosa\\n")
'''


def run_pytest(directory: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=directory, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_pytest_plugins_fixtures_in_another_project(tmp_path: Path) -> None:
    (tmp_path / "test_with_fixtures.py").write_text(PLUGIN_TEST)

    assert "1 passed" in run_pytest(tmp_path)


def test_the_testing_guides_example_test_passes(tmp_path: Path) -> None:
    (example,) = [fence for fence in fences(DOCS / "guides" / "testing.md")
                  if fence.attributes.get("title", "").startswith("examples/")]
    project = tmp_path / EXAMPLE_DIR.name
    shutil.copytree(EXAMPLE_DIR, project)
    target = project / Path(example.attributes["title"]).relative_to("examples/decision_trees")
    target.parent.mkdir()
    target.write_text(example.body)

    assert "3 passed" in run_pytest(project)

"""examples/decision_trees/local_test: train_local.sh, serve_local.sh and predict.sh, run on
a copy of the directory from somewhere else, as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from support.docker import SERVING_PORT, docker, wait_until_serving
from support.paths import EXAMPLE_DIR

LOCAL_TEST = EXAMPLE_DIR / "local_test"
SCRIPTS = ("train_local.sh", "serve_local.sh", "predict.sh")


@pytest.fixture
def local_test(tmp_path):
    """A copy of local_test/ without earlier runs' model and output."""
    copy = tmp_path / "local_test"
    shutil.copytree(LOCAL_TEST, copy, ignore=shutil.ignore_patterns("model", "output"))
    return copy


# serve_local.sh and predict.sh take the port from $PORT (SageMaker's 8080 by default).
SCRIPT_ENV = {**os.environ, "PORT": str(SERVING_PORT)}


def run_script(local_test, name, *args, cwd):
    return subprocess.run([str(local_test / name), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=SCRIPT_ENV)


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_is_executable_and_needs_its_argument(local_test, tmp_path, name):
    assert os.access(LOCAL_TEST / name, os.X_OK)

    result = run_script(local_test, name, cwd=tmp_path)

    assert result.returncode != 0
    assert f"usage: {name}" in result.stderr


@pytest.mark.docker
def test_train_local_trains_from_any_directory(example_image, local_test, tmp_path):
    stale = local_test / "test_dir" / "output"
    stale.mkdir()
    (stale / "failure").write_text("from an earlier run")

    result = run_script(local_test, "train_local.sh", example_image, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert (local_test / "test_dir" / "model" / "model.joblib").is_file()
    assert not (stale / "failure").exists()


@pytest.mark.docker
def test_train_local_fails_on_a_bad_hyperparameter(example_image, local_test, tmp_path):
    config = local_test / "test_dir" / "input" / "config" / "hyperparameters.json"
    config.write_text(json.dumps({"max_leaf_nodes": "abc"}))

    result = run_script(local_test, "train_local.sh", example_image, cwd=tmp_path)

    assert result.returncode != 0
    failure = (local_test / "test_dir" / "output" / "failure").read_text()
    assert "max_leaf_nodes" in failure.splitlines()[0]


@pytest.mark.docker
def test_serve_local_and_predict(example_image, local_test, tmp_path):
    trained = run_script(local_test, "train_local.sh", example_image, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen([str(local_test / "serve_local.sh"), example_image],
                                  cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT,
                                  env=SCRIPT_ENV)
    try:
        wait_until_serving(lambda: server.poll() is None, log.read_text)

        result = run_script(local_test, "predict.sh", str(local_test / "payload.csv"),
                            cwd=tmp_path)

        assert result.returncode == 0, result.stderr
        assert len(result.stdout.splitlines()) == 29
    finally:
        # serve_local.sh execs docker run, which hands SIGTERM on to the container.
        server.terminate()
        try:
            server.wait(60)
        finally:
            _remove_containers_of(example_image)


def _remove_containers_of(image):
    running = docker("ps", "--quiet", "--filter", f"ancestor={image}").stdout.split()
    if running:
        docker("rm", "--force", *running)

"""The example image, built from this checkout, trained as SageMaker runs it:
``docker run -v DIR:/opt/ml IMAGE train``."""

from __future__ import annotations

import json
import os

import pytest
from support.docker import docker, run_in_image

from byoc_toolkit.serving.mms.java_runtime import FRONTEND_MODULES

pytestmark = pytest.mark.docker


def test_train_writes_the_model(example_image, opt_ml):
    result = run_in_image(example_image, opt_ml, "train")

    assert result.returncode == 0, result.stderr
    assert (opt_ml / "model" / "model.joblib").is_file()
    assert not (opt_ml / "output" / "failure").exists()
    assert "#byoc-metric train:accuracy=" in result.stdout


def test_bad_hyperparameter_fails_and_names_it(example_image, opt_ml):
    (opt_ml / "input" / "config" / "hyperparameters.json").write_text(
        json.dumps({"max_leaf_nodes": "abc"}))

    result = run_in_image(example_image, opt_ml, "train")

    assert result.returncode != 0
    failure = (opt_ml / "output" / "failure").read_text()
    assert "max_leaf_nodes" in failure.splitlines()[0]


def test_training_needs_no_network_at_start(example_image, opt_ml):
    # Everything is installed at build time: with no network, training still works.
    result = run_in_image(example_image, opt_ml, "train", network="none")

    assert result.returncode == 0, result.stderr


def test_non_root_image_trains_into_a_writable_mount(non_root_image, opt_ml):
    # The mounted dir belongs to root on the host; SageMaker's would too (see the Dockerfile).
    for path in [opt_ml, *opt_ml.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)

    result = run_in_image(non_root_image, opt_ml, "train")

    assert result.returncode == 0, result.stderr
    model = opt_ml / "model" / "model.joblib"
    assert model.stat().st_uid != 0


def test_image_is_what_sagemaker_expects(example_image):
    config = json.loads(docker("image", "inspect", example_image).stdout)[0]["Config"]

    assert config["Entrypoint"] == ["/opt/venv/bin/byoc"]
    assert config["Labels"]["com.amazonaws.sagemaker.capabilities.accept-bind-to-port"] == "true"
    assert config["Labels"]["com.amazonaws.sagemaker.capabilities.multi-models"] == "true"
    assert "8080/tcp" in config["ExposedPorts"]
    environment = dict(line.split("=", 1) for line in config["Env"])
    assert environment["BYOC_PROGRAM"] == "/opt/program/decision_trees.py"
    assert environment["PYTHONDONTWRITEBYTECODE"] == "1"
    assert config["User"] in ("", "root")


def test_image_holds_what_runs_and_no_build_tools(example_image):
    script = ("test -f /opt/program/__pycache__/decision_trees.cpython-311.pyc"
              " && ! test -e /opt/program/local_test"
              " && ! command -v gcc && ! command -v cc && ! command -v javac"
              " && ! find /opt/venv -path '*/site-packages/*/tests' | grep -q ."
              " && python -c 'import importlib.util as u;"
              " assert not [m for m in (\"pip\", \"setuptools\", \"wheel\") if u.find_spec(m)]'"
              " && java --list-modules")
    result = docker("run", "--rm", "--entrypoint", "sh", example_image, "-c", script,
                    check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    modules = {line.split("@")[0] for line in result.stdout.split()}
    # jlink's closure of what the front end needs, not a whole JRE (about 70 modules).
    assert set(FRONTEND_MODULES) <= modules
    assert len(modules) < 25, sorted(modules)


def test_image_is_at_most_700_mb(example_image):
    size = int(docker("image", "inspect", "--format", "{{.Size}}", example_image).stdout)

    assert size <= 700e6, f"{size / 1e6:.0f} MB"


def test_train_writes_no_bytecode_at_run_time(example_image, opt_ml):
    name = f"byoc-test-train-{os.getpid()}"
    try:
        result = docker("run", "--name", name, "--network", "host", "-v", f"{opt_ml}:/opt/ml",
                        example_image, "train", check=False)
        changed = docker("diff", name).stdout.split()
    finally:
        docker("rm", "--force", name, check=False)

    assert result.returncode == 0, result.stderr
    assert [path for path in changed if path.endswith(".pyc")] == []

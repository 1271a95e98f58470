"""``byoc local train|serve --image``: the same lifecycle through the example's image."""

from __future__ import annotations

import os
import signal
import subprocess
import tarfile

import joblib
import numpy as np
import pytest
from support.commands import BYOC, run_byoc
from support.docker import SERVING_PORT, run_in_image, wait_until_serving
from support.paths import EXAMPLE_DIR, EXAMPLE_TEST_DIR, PAYLOAD_CSV

pytestmark = pytest.mark.docker


def test_local_train_and_serve_in_the_image(example_image, tmp_path):
    output = tmp_path / "job"
    trained = run_byoc("local", "train", "--image", example_image, "--hp", "max_leaf_nodes=4",
                       "--channel", f"training={EXAMPLE_TEST_DIR / 'input/data/training'}",
                       "--output", str(output), timeout=300)
    assert trained.returncode == 0, trained.stderr
    artifact = output / "model.tar.gz"
    with tarfile.open(artifact) as tar:
        tar.extractall(tmp_path / "model", filter="data")
    model = joblib.load(tmp_path / "model" / "model.joblib")
    assert model.get_params()["max_leaf_nodes"] == 4
    want = "".join(f"{label}\n" for label in model.predict(
        np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)))

    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "BYOC_"))}
    server = subprocess.Popen([BYOC, "local", "serve", "--image", example_image,
                               "--model", str(artifact), "--port", str(SERVING_PORT)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(lambda: server.poll() is None, log_path.read_text)
        invoked = run_byoc("local", "invoke", str(PAYLOAD_CSV), "--port", str(SERVING_PORT))
        assert invoked.returncode == 0, invoked.stderr
        assert invoked.stdout == want
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0


def test_a_local_job_tree_trains_as_it_stands_in_the_image(example_image, tmp_path):
    trained = run_byoc("local", "train", "--program", str(EXAMPLE_DIR / "decision_trees.py"),
                       "--channel", f"training={EXAMPLE_TEST_DIR / 'input/data/training'}",
                       "--output", str(tmp_path / "job"))
    assert trained.returncode == 0, trained.stderr
    tree = tmp_path / "job" / "hosts" / "algo-1" / "opt_ml"
    (tree / "model" / "model.joblib").unlink()

    # docker run -v TREE:/opt/ml IMAGE train: the channel's files must be in the tree itself.
    result = run_in_image(example_image, tree, "train")

    assert result.returncode == 0, result.stderr
    assert (tree / "model" / "model.joblib").is_file()

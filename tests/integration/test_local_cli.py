"""``byoc local train|serve|invoke`` without Docker: the same predictions as in-process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tarfile

import joblib
import numpy as np
import psutil
import pytest
from support.bodies import npy_bytes, npz_bytes
from support.commands import BYOC, run_byoc
from support.paths import EXAMPLE_PROGRAM, PAYLOAD_CSV, TRAINING_DATA
from support.serving import free_port, wait_for_ping


def test_local_train_serve_invoke_give_the_in_process_predictions(tmp_path):
    output = tmp_path / "job"
    trained = run_byoc("local", "train", "--program", str(EXAMPLE_PROGRAM),
                       "--hp", "max_leaf_nodes=3", "--channel", f"training={TRAINING_DATA}",
                       "--output", str(output), "--job-name", "local-test")
    assert trained.returncode == 0, trained.stderr
    artifact = output / "model.tar.gz"
    assert trained.stdout.strip() == str(artifact)
    config = output / "hosts/algo-1/opt_ml/input/config"
    assert json.loads((config / "hyperparameters.json").read_text()) == {"max_leaf_nodes": "3"}
    # Real files, so that the tree also works mounted into a container.
    channel = output / "hosts/algo-1/opt_ml/input/data/training"
    assert not channel.is_symlink()
    assert (channel / "iris.csv").read_bytes() == (TRAINING_DATA / "iris.csv").read_bytes()
    with tarfile.open(artifact) as tar:
        assert tar.getnames() == ["model.joblib"]
        tar.extractall(tmp_path / "model", filter="data")
    model = joblib.load(tmp_path / "model" / "model.joblib")
    assert model.get_params()["max_leaf_nodes"] == 3
    want = "".join(f"{label}\n" for label in model.predict(
        np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)))

    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "BYOC_"))}
    server = subprocess.Popen([BYOC, "local", "serve", "--program", str(EXAMPLE_PROGRAM),
                               "--model", str(artifact), "--port", str(port),
                               "--env", "SAGEMAKER_MODEL_SERVER_WORKERS=1"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_ping(port, lambda: server.poll() is None, log_path.read_text)
        assert listening_addresses(port) == {"127.0.0.1"}
        invoked = run_byoc("local", "invoke", str(PAYLOAD_CSV), "--port", str(port))
        assert invoked.returncode == 0, invoked.stderr
        assert invoked.stdout == want
        as_json = run_byoc("local", "invoke", str(PAYLOAD_CSV), "--port", str(port),
                           "--accept", "application/json")
        assert json.loads(as_json.stdout) == want.split()
        refused = run_byoc("local", "invoke", "-", "--port", str(port), input="a,b,c,d\n")
        assert refused.returncode == 1
        assert "HTTP 400: row 1, field 1: 'a' is not a number" in refused.stderr
        rows = np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)
        payloads = {"rows.json": json.dumps(rows.tolist()).encode(),
                    "rows.jsonl": "".join(json.dumps(r) + "\n" for r in rows.tolist()).encode(),
                    "rows.npy": npy_bytes(rows), "rows.npz": npz_bytes(True, rows=rows)}
        for name, body in payloads.items():  # each sent with its extension's Content-Type
            (tmp_path / name).write_bytes(body)
            by_type = run_byoc("local", "invoke", str(tmp_path / name), "--port", str(port),
                               "--accept", "application/json")
            assert by_type.returncode == 0, (name, by_type.stderr)
            assert by_type.stdout.endswith("]\n")  # a newline ends the output
            assert json.loads(by_type.stdout) == want.split()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses listening on ``port`` (Java listens on IPv6 sockets that also take
    IPv4: ``::`` is every interface, ``::ffff:A.B.C.D`` the IPv4 address A.B.C.D)."""
    found = {c.laddr.ip for c in psutil.net_connections("inet")
             if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
    return {"0.0.0.0" if ip == "::" else ip.removeprefix("::ffff:") for ip in found}


@pytest.mark.parametrize(("hyperparameter", "exit_code", "reason"), [
    ("max_leaf_nodes=many", 2, "max_leaf_nodes: expected int, got 'many'"),
    ("max_leaf_nodes=1", 1, "InvalidParameterError: The 'max_leaf_nodes' parameter"),
])
def test_local_train_exits_as_the_training_did(tmp_path, hyperparameter, exit_code, reason):
    result = run_byoc("local", "train", "--program", str(EXAMPLE_PROGRAM),
                      "--hp", hyperparameter, "--channel", f"training={TRAINING_DATA}",
                      "--output", str(tmp_path / "job"))
    assert result.returncode == exit_code
    assert f"byoc: training failed (exit {exit_code}): {reason}" in result.stderr
    assert (tmp_path / "job" / "failure").read_text().startswith(reason)


def test_local_serve_listens_where_host_says(tmp_path, opt_ml):
    trained = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=opt_ml)
    assert trained.returncode == 0, trained.stderr
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "BYOC_"))}
    server = subprocess.Popen([BYOC, "local", "serve", "--program", str(EXAMPLE_PROGRAM),
                               "--model", str(opt_ml / "model"),
                               "--port", str(port), "--host", "0.0.0.0",
                               "--env", "SAGEMAKER_MODEL_SERVER_WORKERS=1"],
                              env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for_ping(port, lambda: server.poll() is None, log_path.read_text)
        assert listening_addresses(port) == {"0.0.0.0"}
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0


def test_local_serve_without_java_says_so_in_one_line(tmp_path):
    env = {"PATH": os.path.dirname(BYOC), "JAVA_HOME": ""}
    result = run_byoc("local", "serve", "--program", str(EXAMPLE_PROGRAM),
                      "--model", str(tmp_path), "--port", str(free_port()), env=env)

    assert result.returncode == 2
    assert result.stderr == ("Error: java not found on PATH: multi-model-server needs a Java "
                             "runtime >= 17 (Debian: apt-get install default-jre-headless)\n")


def test_two_hosts_train_at_once_and_share_one_artifact(tmp_path):
    result = run_byoc("local", "train", "--program", str(EXAMPLE_PROGRAM),
                      "--channel", f"training={TRAINING_DATA}", "--hosts", "2",
                      "--output", str(tmp_path / "job"))
    assert result.returncode == 0, result.stderr
    for rank, host in enumerate(["algo-1", "algo-2"]):
        config = json.loads((tmp_path / "job/hosts" / host /
                             "opt_ml/input/config/resourceconfig.json").read_text())
        assert config["hosts"] == ["algo-1", "algo-2"]
        assert config["hosts"].index(config["current_host"]) == rank
    assert (tmp_path / "job" / "model.tar.gz").is_file()


def test_bad_channel_is_a_usage_error(tmp_path):
    result = run_byoc("local", "train", "--program", str(EXAMPLE_PROGRAM),
                      "--channel", "training", "--output", str(tmp_path / "job"))
    assert result.returncode == 2
    assert "expected NAME=VALUE" in result.stderr

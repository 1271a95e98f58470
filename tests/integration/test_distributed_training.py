"""Distributed training for real: ``byoc local train --hosts N`` runs each host as its own
process on its own loopback address; Dask, torchrun (gloo, on the CPU) and Open MPI's mpirun
(mpi4py) across them."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import time
from pathlib import Path

import joblib
import numpy as np
import pytest
from support.commands import BYOC, run_byoc
from support.paths import FOREST_PROGRAM, PAYLOAD_CSV, PROGRAMS, TRAINING_DATA

from byoc_toolkit.local.job_tree import write_job_tree
from byoc_toolkit.testing.ports import free_port
from byoc_toolkit.training.cluster.hosts import format_hosts_file

TORCH_PROGRAM = PROGRAMS / "torch_ranks.py"
DASK_PROGRAM = PROGRAMS / "dask_client_only.py"
MPI_PROGRAM = PROGRAMS / "mpi_ranks.py"
#: torch's import alone takes seconds per process on this machine's two cores.
CLUSTER_RUN_TIMEOUT = 300


def host_log(job: Path, host: str) -> str:
    return (job / "hosts" / host / "output.log").read_text()


def model_files(job: Path, host: str) -> list[str]:
    return sorted(p.name for p in (job / "hosts" / host / "opt_ml/model").iterdir())


def assert_every_host_exited(stderr: str, hosts: int, code: int) -> None:
    for i in range(1, hosts + 1):
        assert f"byoc: algo-{i} exited with code {code}" in stderr, stderr[-3000:]


def train_forest(job: Path, hosts: int, n_estimators: int,
                 *source: str) -> subprocess.CompletedProcess[str]:
    """The decision-forest example on ``hosts`` local hosts; ``source``: ``--image IMAGE``
    (default: the program, in processes)."""
    return run_byoc("local", "train", *(source or ("--program", str(FOREST_PROGRAM))),
                    "--hosts", str(hosts), "--hp", f"n_estimators={n_estimators}",
                    "--channel", f"training={TRAINING_DATA}", "--output", str(job),
                    timeout=CLUSTER_RUN_TIMEOUT)


def check_forest_job(job: Path, tmp_path: Path) -> None:
    """One model, saved by algo-1, fitted on a cluster of three workers."""
    assert "#byoc-metric cluster:workers=3.0" in host_log(job, "algo-1")
    assert model_files(job, "algo-1") == ["model.joblib"]
    assert model_files(job, "algo-2") == model_files(job, "algo-3") == []
    with tarfile.open(job / "model.tar.gz") as tar:
        assert tar.getnames() == ["model.joblib"]
        tar.extractall(tmp_path / "model", filter="data")
    forest = joblib.load(tmp_path / "model" / "model.joblib")
    assert len(forest.estimators_) == 12
    predicted = forest.predict(np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2))
    assert set(predicted) == {"setosa", "versicolor", "virginica"}


def test_dask_forest_on_three_local_hosts(tmp_path):
    job = tmp_path / "job"
    result = train_forest(job, 3, 12)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == str(job / "model.tar.gz")
    assert_every_host_exited(result.stderr, 3, 0)
    for host in ("algo-1", "algo-2", "algo-3"):
        assert (f"{host} | byoc: cluster of 3 host(s): algo-1 (127.0.0.2), algo-2 (127.0.0.3),"
                f" algo-3 (127.0.0.4); this is {host}") in result.stderr
        config = json.loads((job / "hosts" / host /
                             "opt_ml/input/config/resourceconfig.json").read_text())
        assert config["current_host"] == host and config["network_interface_name"] == "lo"
    assert "127.0.0.3 algo-2" in (job / "hosts" / "hosts").read_text()
    check_forest_job(job, tmp_path)


def test_when_the_dask_function_fails_every_host_fails_with_its_reason(tmp_path):
    job = tmp_path / "job"
    result = train_forest(job, 2, 0)
    assert result.returncode == 1, result.stderr[-3000:]
    assert_every_host_exited(result.stderr, 2, 1)
    reason = "InvalidParameterError: The 'n_estimators' parameter of RandomForestClassifier"
    assert (job / "hosts/algo-1/opt_ml/output/failure").read_text().startswith(reason)
    assert (job / "hosts/algo-2/opt_ml/output/failure").read_text().startswith(
        f"algo-1: {reason}")


def train_two_by_two(job: Path, program: Path) -> subprocess.CompletedProcess[str]:
    """``program`` on 2 local hosts, 2 processes each, which succeeded on every host."""
    result = run_byoc("local", "train", "--program", str(program), "--hosts", "2",
                      "--output", str(job), env={"BYOC_NPROC_PER_NODE": "2"},
                      timeout=CLUSTER_RUN_TIMEOUT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_every_host_exited(result.stderr, 2, 0)
    return result


def test_torchrun_two_hosts_two_processes_each(tmp_path):
    job = tmp_path / "job"
    train_two_by_two(job, TORCH_PROGRAM)
    for rank, host in enumerate(["algo-1", "algo-1", "algo-2", "algo-2"]):
        assert f"rank {rank} of 4 (local {rank % 2}): sum 6.0" in host_log(job, host)
    assert model_files(job, "algo-1") == ["model.joblib"]
    assert model_files(job, "algo-2") == []
    saved = joblib.load(job / "hosts/algo-1/opt_ml/model/model.joblib")
    assert saved == {"rank": 0, "local_rank": 0, "world_size": 4, "sum": 6.0,
                     "environ": ["0", "0", "4"]}


@pytest.mark.parametrize(("program", "processes", "rank", "where"), [
    (TORCH_PROGRAM, 1, 1, "rank 1 (local rank 0) on algo-2"),
    (MPI_PROGRAM, 2, 3, "rank 3 (local rank 1) on algo-2"),
], ids=["torchrun", "mpi"])
def test_a_process_that_raises_is_named_by_rank_and_every_host_fails(
        tmp_path, program, processes, rank, where):
    job = tmp_path / "job"
    result = run_byoc("local", "train", "--program", str(program), "--hosts", "2",
                      "--hp", f"fail_rank={rank}", "--output", str(job),
                      env={"BYOC_NPROC_PER_NODE": str(processes)}, timeout=CLUSTER_RUN_TIMEOUT)
    assert result.returncode == 1, result.stderr[-3000:]
    reason = f"{where}: ValueError: rank {rank} was told to fail"
    assert f"byoc: training failed (exit 1): {reason}" in result.stderr
    assert_every_host_exited(result.stderr, 2, 1)
    for host in ("algo-1", "algo-2"):
        failure = (job / "hosts" / host / "opt_ml/output/failure").read_text()
        assert failure.startswith(reason + "\n")
        assert "raise ValueError(f\"rank {env.rank} was told to fail\")" in failure


def check_mpi_ranks(job: Path, saved: Path) -> None:
    """Every process's allreduce gave the sum of the ranks; every process ran with its own
    host's environment; only rank 0's result was saved."""
    for rank, host in enumerate(["algo-1", "algo-1", "algo-2", "algo-2"]):
        # mpirun carries every process's output to the master's log, tagged with its rank.
        assert (f"[1,{rank}]<stdout>:rank {rank} of 4 (local {rank % 2}) on {host}: sum 6"
                in host_log(job, "algo-1"))
    assert joblib.load(saved) == {
        "rank": 0, "local_rank": 0, "world_size": 4, "sum": 6, "mpi": [0, 4],
        "hosts": ["algo-1", "algo-1", "algo-2", "algo-2"], "environ": ["0", "0", "4"]}


def test_mpi_two_hosts_two_processes_each(tmp_path):
    job = tmp_path / "job"
    result = train_two_by_two(job, MPI_PROGRAM)
    assert ("algo-1 | byoc: mpirun: 2 host(s), 2 process(es) each: mpirun --host "
            "127.0.0.2:2,127.0.0.3:2 -np 4") in result.stderr
    assert model_files(job, "algo-1") == ["model.joblib"]
    assert model_files(job, "algo-2") == []
    check_mpi_ranks(job, job / "hosts/algo-1/opt_ml/model/model.joblib")


def start_hosts(tmp_path: Path, hosts: list[str], of: int, timeout: int,
                program: Path = DASK_PROGRAM, hyperparameters: dict[str, str] | None = None,
                addresses: dict[str, str] | None = None,
                environ: dict[str, dict[str, str]] | None = None
                ) -> dict[str, subprocess.Popen[str]]:
    """``byoc train`` for ``hosts`` only, of a job tree of ``of`` hosts (``addresses``: other
    addresses than the local cluster's for some hosts; ``environ``: some hosts' own
    variables)."""
    job = write_job_tree(tmp_path / "hosts", hyperparameters or {}, {}, of)
    mapped = {**job.addresses, **(addresses or {})}
    job.hosts_file.write_text(format_hosts_file(mapped))
    env = {k: v for k, v in os.environ.items() if k != "BYOC_PROGRAM"}
    env.update(BYOC_HOSTS_FILE=str(job.hosts_file), BYOC_CLUSTER_TIMEOUT=str(timeout),
               BYOC_COORDINATOR_PORT=str(free_port(mapped["algo-1"])),
               BYOC_MASTER_PORT=str(free_port(mapped["algo-1"])), BYOC_NPROC_PER_NODE="2")
    return {host: subprocess.Popen(
        [BYOC, "train", "--program", str(program)], text=True,
        env={**env, "SAGEMAKER_BASE_DIR": str(job.root(host)), **(environ or {}).get(host, {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for host in hosts}


@pytest.mark.parametrize("fail_rank", [-1, 1])
def test_mpi_with_the_master_on_an_address_of_this_machine(tmp_path, fail_rank):
    """algo-1 at 127.0.0.1: mpirun recognizes its own machine and starts the master's
    processes itself, as on SageMaker (the local cluster's 127.0.0.2 is not an address of any
    interface, so mpirun asks byoc's agent to start a daemon there too)."""
    processes = start_hosts(tmp_path, ["algo-1", "algo-2"], 2, 60, MPI_PROGRAM,
                            {"fail_rank": str(fail_rank)}, {"algo-1": "127.0.0.1"})
    errors = {host: p.communicate(timeout=CLUSTER_RUN_TIMEOUT)[1]
              for host, p in processes.items()}
    assert "mpirun --host 127.0.0.1:2,127.0.0.3:2 -np 4" in errors["algo-1"]
    opt_ml = tmp_path / "hosts" / "algo-1" / "opt_ml"
    if fail_rank == -1:
        assert [p.returncode for p in processes.values()] == [0, 0], errors
        assert joblib.load(opt_ml / "model/model.joblib")["sum"] == 6
    else:
        assert [p.returncode for p in processes.values()] == [1, 1], errors
        for host in ("algo-1", "algo-2"):
            assert (tmp_path / "hosts" / host / "opt_ml/output/failure").read_text().startswith(
                "rank 1 (local rank 1) on algo-1: ValueError: rank 1 was told to fail\n")


def test_a_host_without_open_mpi_fails_the_others_at_once(tmp_path):
    started = time.monotonic()
    processes = start_hosts(tmp_path, ["algo-1", "algo-2"], 2, 60, MPI_PROGRAM,
                            environ={"algo-2": {"PATH": str(tmp_path)}})
    errors = {host: p.communicate(timeout=CLUSTER_RUN_TIMEOUT)[1]
              for host, p in processes.items()}
    assert [p.returncode for p in processes.values()] == [1, 2], errors
    reason = ("this @train_fn is distributed with MPI, but Open MPI's mpirun is not on PATH: "
              "install Open MPI in the image (Debian: apt-get install openmpi-bin)")
    failures = {host: (tmp_path / "hosts" / host / "opt_ml/output/failure").read_text()
                for host in processes}
    assert failures["algo-2"].startswith(reason)
    assert failures["algo-1"].startswith(f"algo-2: {reason}")
    assert time.monotonic() - started < 40  # not the cluster's timeout of 60 s


@pytest.mark.parametrize("program", [DASK_PROGRAM, MPI_PROGRAM], ids=["dask", "mpi"])
@pytest.mark.parametrize(("running", "missing"), [(["algo-1", "algo-2"], "algo-3"),
                                                  (["algo-2"], "algo-1")])
def test_a_host_that_never_comes_up_fails_the_others_within_the_timeout(
        tmp_path, running, missing, program):
    timeout = 3
    started = time.monotonic()
    processes = start_hosts(tmp_path, running, 3, timeout, program)
    for host, process in processes.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 1, stderr
        failure = (tmp_path / "hosts" / host / "opt_ml/output/failure").read_text()
        if missing == "algo-3":
            assert failure.startswith(
                "the cluster did not form: algo-3 did not reach the master algo-1 within 3 s "
                "(checked in: algo-1, algo-2)\n")
        else:
            assert failure.startswith("the master algo-1 (127.0.0.2:")
            assert "did not accept connections from algo-2 within 3 s" in failure
    # Importing the program takes a few seconds here; the wait itself is the timeout.
    assert time.monotonic() - started < timeout + 40


@pytest.mark.docker
def test_dask_forest_on_three_local_containers(forest_image, tmp_path):
    job = tmp_path / "job"
    result = train_forest(job, 3, 12, "--image", forest_image)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_every_host_exited(result.stderr, 3, 0)
    assert "algo-3 | byoc: cluster of 3 host(s): algo-1 (127.0.0.2)" in result.stderr
    check_forest_job(job, tmp_path)


@pytest.mark.docker
def test_mpi_on_two_local_containers(mpi_image, tmp_path):
    job = tmp_path / "job"
    result = run_byoc("local", "train", "--image", mpi_image, "--hosts", "2", "--output",
                      str(job), env={"BYOC_NPROC_PER_NODE": "2"}, timeout=CLUSTER_RUN_TIMEOUT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_every_host_exited(result.stderr, 2, 0)
    with tarfile.open(job / "model.tar.gz") as tar:
        assert tar.getnames() == ["model.joblib"]
        tar.extractall(tmp_path / "model", filter="data")
    check_mpi_ranks(job, tmp_path / "model" / "model.joblib")

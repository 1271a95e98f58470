"""Running a local training job: every host's ``byoc train`` (or container) at once, each on
its own loopback address, its output prefixed with its name; then the artifacts SageMaker
would upload: model.tar.gz, output.tar.gz, the failure reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import log
from ..model_artifacts import MODEL_ARCHIVE_NAME, OUTPUT_ARCHIVE_NAME, pack_model
from ..testing.ports import free_port
from ..training.cluster.settings import (
    COORDINATOR_PORT_ENV,
    HOSTS_FILE_ENV,
    JOB_VARIABLES,
    MASTER_PORT_ENV,
)
from .job_tree import LocalJob, write_job_tree

#: Each host's output (stdout and stderr) as written, beside its /opt/ml tree.
HOST_LOG_NAME = "output.log"


@dataclass(frozen=True)
class TrainingResult:
    exit_code: int
    model_artifact: Path | None
    output_artifact: Path | None
    failure: str | None


def train_locally(output: Path, program: str | None, image: str | None,
                  hyperparameters: Mapping[str, str], channels: Mapping[str, Path],
                  host_count: int, job_name: str) -> TrainingResult:
    """Train as a SageMaker job would, writing the artifacts into ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    job = write_job_tree(output / "hosts", hyperparameters, channels, host_count)
    settings = {**_job_settings(job), "TRAINING_JOB_NAME": job_name}
    processes = [_start(job, host, program, image, settings) for host in job.hosts]
    codes = [process.wait() for process, _ in processes]
    for host, (_, relay), code in zip(job.hosts, processes, codes, strict=True):
        relay.join()
        log(f"{host} exited with code {code}")
    failed = next((host for host, code in zip(job.hosts, codes, strict=True) if code), None)
    if failed is not None:
        failure_file = job.paths(failed).failure_file
        reason = failure_file.read_text() if failure_file.exists() else None
        if reason is not None:
            shutil.copyfile(failure_file, output / "failure")
        return TrainingResult(codes[job.hosts.index(failed)], None, None, reason)
    # SageMaker packs every host's model dir into one archive (a distributed job saves on
    # algo-1 only).
    model = pack_model([job.paths(h).model_dir for h in job.hosts], output / MODEL_ARCHIVE_NAME)
    data_dirs = [job.paths(h).output_data_dir for h in job.hosts]
    produced = any(any(d.iterdir()) for d in data_dirs)
    data = pack_model(data_dirs, output / OUTPUT_ARCHIVE_NAME) if produced else None
    return TrainingResult(0, model, data, None)


def _job_settings(job: LocalJob) -> dict[str, str]:
    """The cluster settings every host gets: the job's (BYOC_* from this environment), and
    free ports on the master's address for what the job does not set, so that local jobs
    do not collide with each other or with anything else on this machine."""
    settings = {name: os.environ[name] for name in JOB_VARIABLES if name in os.environ}
    master = job.addresses[job.hosts[0]]
    taken: set[int] = set()
    for name in (COORDINATOR_PORT_ENV, MASTER_PORT_ENV):
        if name not in settings:
            port = free_port(master)
            while port in taken:
                port = free_port(master)
            taken.add(port)
            settings[name] = str(port)
    return settings


def _start(job: LocalJob, host: str, program: str | None, image: str | None,
           settings: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], threading.Thread]:
    command, env = _command(job, host, program, image, settings)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    relay = threading.Thread(target=_relay, args=(host, process.stdout,
                                                  job.host_dir(host) / HOST_LOG_NAME),
                             daemon=True)
    relay.start()
    return process, relay


def _relay(host: str, stream: IO[bytes], log_file: Path) -> None:
    """A host's output into its log file and, each line prefixed with its name, to stderr
    (stdout of ``byoc local train`` carries only the artifact's path)."""
    prefix = f"{host} | ".encode()
    with log_file.open("wb") as log:
        for line in stream:
            log.write(line)
            log.flush()
            sys.stderr.buffer.write(prefix + line)
            sys.stderr.buffer.flush()


def _command(job: LocalJob, host: str, program: str | None, image: str | None,
             settings: Mapping[str, str]) -> tuple[Sequence[str], dict[str, str]]:
    root = job.root(host)
    if image is None:
        args = [sys.executable, "-m", "byoc_toolkit", "train"]
        if program:
            args += ["--program", program]
        return args, {**os.environ, **settings, "SAGEMAKER_BASE_DIR": str(root),
                      HOSTS_FILE_ENV: str(job.hosts_file)}
    from ..container import docker

    args = [docker.executable(), "run", "--rm", "--network", "host",
            "--volume", f"{root.resolve()}:/opt/ml"]
    for name, address in job.addresses.items():
        args += ["--add-host", f"{name}:{address}"]
    for name, value in settings.items():
        args += ["--env", f"{name}={value}"]
    return [*args, image, "train"], dict(os.environ)

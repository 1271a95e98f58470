"""Running a local training job: every host's ``byoc train`` (or container) at once, then
the artifacts SageMaker would upload: model.tar.gz, output.tar.gz, the failure reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model_artifacts import MODEL_ARCHIVE_NAME, OUTPUT_ARCHIVE_NAME, pack_model
from .job_tree import LocalJob, write_job_tree


@dataclass(frozen=True)
class TrainingResult:
    exit_code: int
    model_artifact: Path | None
    output_artifact: Path | None
    failure: str | None


def train_locally(output: Path, program: str | None, image: str | None,
                  hyperparameters: Mapping[str, str], channels: Mapping[str, Path],
                  instance_count: int, job_name: str) -> TrainingResult:
    """Train as a SageMaker job would, writing the artifacts into ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    job = write_job_tree(output / "hosts", hyperparameters, channels, instance_count,
                         link_channels=image is None)
    commands = [_command(job, host, program, image, job_name) for host in job.hosts]
    env = {**os.environ, "TRAINING_JOB_NAME": job_name}
    # The job's log goes to stderr: stdout carries only the artifact's path.
    processes = [subprocess.Popen(command, env={**env, **extra}, stdout=sys.stderr)
                 for command, extra in commands]
    codes = [process.wait() for process in processes]
    failed = next((host for host, code in zip(job.hosts, codes, strict=True) if code), None)
    if failed is not None:
        failure_file = job.paths(failed).failure_file
        reason = failure_file.read_text() if failure_file.exists() else None
        if reason is not None:
            shutil.copyfile(failure_file, output / "failure")
        return TrainingResult(codes[job.hosts.index(failed)], None, None, reason)
    model = pack_model([job.paths(h).model_dir for h in job.hosts], output / MODEL_ARCHIVE_NAME)
    data_dirs = [job.paths(h).output_data_dir for h in job.hosts]
    produced = any(any(d.iterdir()) for d in data_dirs)
    data = pack_model(data_dirs, output / OUTPUT_ARCHIVE_NAME) if produced else None
    return TrainingResult(0, model, data, None)


def _command(job: LocalJob, host: str, program: str | None, image: str | None,
             job_name: str) -> tuple[Sequence[str], dict[str, str]]:
    root = job.root(host)
    if image is None:
        args = [sys.executable, "-m", "byoc_toolkit", "train"]
        if program:
            args += ["--program", program]
        return args, {"SAGEMAKER_BASE_DIR": str(root)}
    from ..container import docker

    args = [docker.executable(), "run", "--rm", "--network", "host",
            "--volume", f"{root}:/opt/ml", "--env", f"TRAINING_JOB_NAME={job_name}"]
    for name, source in job.channels.items():
        args += ["--volume", f"{source}:/opt/ml/input/data/{name}:ro"]
    return [*args, image, "train"], {}

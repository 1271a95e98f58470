"""The training environment: everything the /opt/ml contract says about one job."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..env_settings import SettingsError
from .channels import Channel, read_channels, read_input_data_config
from .checkpoints import read_checkpoint_dir
from .hyperparameters import read_raw_hyperparameters
from .paths import Paths
from .resources import ResourceConfig, read_resource_config


@dataclass(frozen=True)
class TrainingEnv:
    """An immutable snapshot of the training job's contract, read once at start."""

    paths: Paths
    #: hyperparameters.json as SageMaker wrote it: every value a string.
    raw_hyperparameters: Mapping[str, str]
    #: inputdataconfig.json as SageMaker wrote it.
    input_data_config: Mapping[str, Any]
    channels: Mapping[str, Channel]
    resources: ResourceConfig
    checkpoint_dir: Path
    job_name: str | None = None
    #: This process among all the job's processes (RANK, LOCAL_RANK and WORLD_SIZE, which
    #: torchrun sets, and byoc from Open MPI's under mpirun); one process per host otherwise:
    #: 0, 0 and 1.
    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def model_dir(self) -> Path:
        return self.paths.model_dir

    @property
    def output_data_dir(self) -> Path:
        return self.paths.output_data_dir

    @property
    def output_intermediate_dir(self) -> Path:
        return self.paths.output_intermediate_dir

    @property
    def failure_file(self) -> Path:
        return self.paths.failure_file

    def channel(self, name: str) -> Channel:
        return self.channels[name]

    def sm_env_vars(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The ``SM_*`` variables sagemaker-training would export for this job."""
        from .sm_env_vars import sm_env_vars

        return sm_env_vars(self.paths, self.raw_hyperparameters, self.input_data_config,
                           self.resources, environ)


def load_training_env(root: str | os.PathLike[str] | None = None,
                      environ: Mapping[str, str] | None = None) -> TrainingEnv:
    """Read the contract under ``root`` (default ``$SAGEMAKER_BASE_DIR``, else /opt/ml).

    Raises ContractError naming the file and field when a config file is malformed.
    Nothing is created or written.
    """
    environ = os.environ if environ is None else environ
    paths = Paths.from_env(root, environ)
    input_data_config = read_input_data_config(paths)
    return TrainingEnv(
        paths=paths,
        raw_hyperparameters=MappingProxyType(read_raw_hyperparameters(paths)),
        input_data_config=MappingProxyType(input_data_config),
        channels=read_channels(paths, input_data_config),
        resources=read_resource_config(paths),
        checkpoint_dir=read_checkpoint_dir(paths),
        job_name=environ.get("TRAINING_JOB_NAME"),
        rank=_process_number(environ, "RANK", 0),
        local_rank=_process_number(environ, "LOCAL_RANK", 0),
        world_size=_process_number(environ, "WORLD_SIZE", 1),
    )


def _process_number(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name}: expected a non-negative integer, got {raw!r}")
    return int(raw)

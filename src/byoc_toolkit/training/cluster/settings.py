"""The job-level settings of a distributed run, from the training job's environment
(CreateTrainingJob's ``Environment``): they override what ``@train_fn`` says."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ...env_settings import SettingsError, integer, optional_integer

TIMEOUT_ENV = "BYOC_CLUSTER_TIMEOUT"
COORDINATOR_PORT_ENV = "BYOC_COORDINATOR_PORT"
MASTER_PORT_ENV = "BYOC_MASTER_PORT"
MASTER_ADDR_ENV = "BYOC_MASTER_ADDR"
NPROC_PER_NODE_ENV = "BYOC_NPROC_PER_NODE"
#: A hosts(5) file whose names byoc resolves before DNS (how `byoc local train` maps algo-N
#: to its loopback address without touching /etc/hosts).
HOSTS_FILE_ENV = "BYOC_HOSTS_FILE"

#: The settings a job gives every host (its Environment; `byoc local train` passes them on).
JOB_VARIABLES = (TIMEOUT_ENV, COORDINATOR_PORT_ENV, MASTER_PORT_ENV, MASTER_ADDR_ENV,
                 NPROC_PER_NODE_ENV)

#: sagemaker-training waits up to 15 minutes for the hosts' names to resolve.
DEFAULT_TIMEOUT = 900
#: The port on the master where byoc's coordinator gathers the hosts (beside the engine's).
DEFAULT_COORDINATOR_PORT = 29499
MAX_PORT = 65535


@dataclass(frozen=True)
class ClusterSettings:
    #: Seconds for every host to resolve and check in with the master, before any launcher.
    timeout: float = DEFAULT_TIMEOUT
    coordinator_port: int = DEFAULT_COORDINATOR_PORT
    #: The engine's port on the master (torchrun's rendezvous, Dask's scheduler).
    master_port: int | None = None
    #: The address the engine's processes use for the master (default: its host's address).
    master_addr: str | None = None
    nproc_per_node: int | None = None
    hosts_file: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClusterSettings:
        env = os.environ if environ is None else environ
        hosts_file = env.get(HOSTS_FILE_ENV, "").strip()
        if hosts_file and not Path(hosts_file).is_file():
            raise SettingsError(f"{HOSTS_FILE_ENV}: {hosts_file} is not a file")
        return cls(
            timeout=float(integer(env, TIMEOUT_ENV, DEFAULT_TIMEOUT)),
            coordinator_port=integer(env, COORDINATOR_PORT_ENV, DEFAULT_COORDINATOR_PORT,
                                     maximum=MAX_PORT),
            master_port=optional_integer(env, MASTER_PORT_ENV, maximum=MAX_PORT),
            master_addr=env.get(MASTER_ADDR_ENV, "").strip() or None,
            nproc_per_node=optional_integer(env, NPROC_PER_NODE_ENV),
            hosts_file=Path(hosts_file) if hosts_file else None,
        )


class Deadline:
    """A point in time (time.monotonic()) ``seconds`` from now, for bounded waits."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.at

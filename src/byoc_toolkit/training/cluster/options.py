"""How a @train_fn is spread over the job's hosts: ``@train_fn(distributed=...)``."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Union

from ...errors import RegistrationError

#: The launchers by name: ``@train_fn(distributed="torchrun")`` uses their defaults.
LauncherName = Literal["torchrun", "dask", "mpi"]


@dataclass(frozen=True)
class Torchrun:
    """torch's own launcher (``torch.distributed.run``) on every host; every process runs
    the function with RANK, LOCAL_RANK and WORLD_SIZE set; global rank 0's result is saved."""

    #: Processes per host; None: one per GPU, else 1 (``BYOC_NPROC_PER_NODE`` overrides).
    nproc_per_node: int | None = None
    #: The master's rendezvous port (``BYOC_MASTER_PORT`` overrides).
    master_port: int = 29500
    #: Only the hosts of this instance group take part (heterogeneous clusters).
    instance_group: str | None = None

    def __post_init__(self) -> None:
        if self.nproc_per_node is not None and self.nproc_per_node < 1:
            raise RegistrationError(f"Torchrun: nproc_per_node must be at least 1, "
                                    f"got {self.nproc_per_node}")
        _check_port("Torchrun: master_port", self.master_port)


@dataclass(frozen=True)
class Dask:
    """A Dask cluster: the master host runs the scheduler and a worker, every other host a
    worker; the function runs once, on the master, with a ``distributed.Client``."""

    #: The scheduler's port on the master (``BYOC_MASTER_PORT`` overrides).
    scheduler_port: int = 8786
    #: Only the hosts of this instance group take part (heterogeneous clusters).
    instance_group: str | None = None

    def __post_init__(self) -> None:
        _check_port("Dask: scheduler_port", self.scheduler_port)


#: What byoc gives mpirun itself, from the cluster: options that set them cannot be added.
_MPIRUN_OWN_OPTIONS = frozenset({"-np", "-n", "--n", "--np", "-c", "-H", "-host", "--host",
                                 "-hostfile", "--hostfile", "-machinefile", "--machinefile",
                                 "--default-hostfile"})


@dataclass(frozen=True)
class Mpi:
    """Open MPI's ``mpirun`` on the master, over every host (no SSH: byoc starts Open MPI's
    daemon on each host itself); every process runs the function with RANK, LOCAL_RANK and
    WORLD_SIZE set from Open MPI's; global rank 0's result is saved."""

    #: Processes per host; None: one per GPU, else 1 (``BYOC_NPROC_PER_NODE`` overrides).
    processes_per_host: int | None = None
    #: More mpirun options, after byoc's (``("-x", "NCCL_DEBUG=INFO")``); hosts and process
    #: counts are byoc's.
    mpirun_options: Sequence[str] = field(default=())
    #: Only the hosts of this instance group take part (heterogeneous clusters).
    instance_group: str | None = None

    def __post_init__(self) -> None:
        if self.processes_per_host is not None and self.processes_per_host < 1:
            raise RegistrationError(f"Mpi: processes_per_host must be at least 1, "
                                    f"got {self.processes_per_host}")
        if isinstance(self.mpirun_options, str) or not all(
                isinstance(o, str) for o in self.mpirun_options):
            raise RegistrationError(f"Mpi: mpirun_options must be a sequence of strings, got "
                                    f"{self.mpirun_options!r}")
        own = [o for o in self.mpirun_options if o.split("=", 1)[0] in _MPIRUN_OWN_OPTIONS]
        if own:
            raise RegistrationError(f"Mpi: mpirun_options cannot set {own[0]!r}: byoc gives "
                                    f"mpirun the cluster's hosts and process counts")
        object.__setattr__(self, "mpirun_options", tuple(self.mpirun_options))


def _check_port(name: str, port: int) -> None:
    if not 0 < port < 65536:
        raise RegistrationError(f"{name} must be 1-65535, got {port}")


Distribution = Union[Torchrun, Dask, Mpi]

_BY_NAME: dict[str, Distribution] = {"torchrun": Torchrun(), "dask": Dask(), "mpi": Mpi()}


def as_distribution(value: LauncherName | Distribution | None) -> Distribution | None:
    """The options behind ``@train_fn(distributed=...)``; an unknown value fails at import."""
    if value is None or isinstance(value, (Torchrun, Dask, Mpi)):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    names = ", ".join(repr(n) for n in typing.get_args(LauncherName))
    raise RegistrationError(f"distributed must be one of {names}, Torchrun(...), Dask(...) or "
                            f"Mpi(...), got {value!r}")

"""``byoc train`` for a distributed @train_fn: the launcher its options name."""

from __future__ import annotations

import importlib.util

from ...contract import TrainingEnv
from ...errors import InputError
from ...registry import TrainSpec
from .options import Dask, Mpi, Torchrun
from .settings import ClusterSettings


def run_distributed(spec: TrainSpec, env: TrainingEnv, program: str | None) -> None:
    """Run ``spec`` (from ``program``) on this host's part of the cluster; raises on
    failure (a ClusterError when another host or process failed)."""
    settings = ClusterSettings.from_env()
    if isinstance(spec.distribution, Torchrun):
        require("torch", "torch")
        from .torchrun import run_torchrun

        run_torchrun(spec, env, spec.distribution, settings, program)
    elif isinstance(spec.distribution, Dask):
        require("distributed", "dask")
        from .dask_cluster import run_dask

        run_dask(spec, env, spec.distribution, settings)
    elif isinstance(spec.distribution, Mpi):
        from .mpirun import run_mpi

        run_mpi(spec, env, spec.distribution, settings, program)


def require(module: str, extra: str) -> None:
    """An InputError naming the extra to install when ``module`` is not importable."""
    if importlib.util.find_spec(module) is None:
        raise InputError(f"this @train_fn is distributed with {extra}, but {module} is not "
                         f"installed: pip install 'byoc-toolkit[{extra}]'")

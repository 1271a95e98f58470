"""Distributed training: the same @train_fn on every host of a SageMaker cluster, started by
an existing engine (torch's own launcher, Dask, Open MPI). byoc only forms the cluster (names
resolved, every host checked in with the master), starts the engine and ends every host the
same way."""

from .options import Dask, Distribution, Mpi, Torchrun

__all__ = ["Dask", "Distribution", "Mpi", "Torchrun"]

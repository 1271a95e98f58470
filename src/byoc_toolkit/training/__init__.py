"""The training half: @train_fn, the runner behind ``byoc train``, metrics, stopping and the
distributed launchers."""

from .cluster import Dask, Mpi, Torchrun
from .decorator import train_fn
from .metrics import log_metric, metric_definitions
from .stopping import TrainingStopped, stop_requested

__all__ = ["Dask", "Mpi", "Torchrun", "TrainingStopped", "log_metric", "metric_definitions",
           "stop_requested", "train_fn"]

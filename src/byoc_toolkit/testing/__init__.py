"""Testing SageMaker containers built with byoc-toolkit, in pytest or anywhere:

- ``run_training(program, hyperparameters=..., channels=...)`` runs the @train_fn as
  ``byoc train`` does and returns a TrainingResult (exit code, failure, metrics, model dir);
- ``InProcessEndpoint(program, model_dir)`` and ``LocalEndpoint(program, model_dir)``
  answer ``invoke(body, content_type=..., accept=...)`` with a Response, in this process or
  from the real ``byoc serve``;
- TrainingTree writes an /opt/ml tree; the pytest plugin gives the ``byoc_tree`` and
  ``byoc_endpoint`` fixtures.

Names are imported on first use: pytest loads the plugin in every session, and the serving
pipeline behind the endpoints imports numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..local.invoking import Response as Response
    from ..training.metrics import MetricValue as MetricValue
    from .endpoints import Endpoint as Endpoint
    from .endpoints import EndpointError as EndpointError
    from .endpoints import InProcessEndpoint as InProcessEndpoint
    from .endpoints import LocalEndpoint as LocalEndpoint
    from .ports import free_port as free_port
    from .training import TrainingResult as TrainingResult
    from .training import run_training as run_training
    from .tree import ChannelData as ChannelData
    from .tree import TrainingTree as TrainingTree

_HOMES = {
    "ChannelData": ".tree",
    "Endpoint": ".endpoints",
    "EndpointError": ".endpoints",
    "InProcessEndpoint": ".endpoints",
    "LocalEndpoint": ".endpoints",
    "MetricValue": "..training.metrics",
    "Response": "..local.invoking",
    "TrainingResult": ".training",
    "TrainingTree": ".tree",
    "free_port": ".ports",
    "run_training": ".training",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home, __name__), name)

"""byoc-toolkit: SageMaker bring-your-own containers from plain decorated functions.

    from byoc_toolkit import HTTPError, RequestContext, predict_fn, train_fn

    @train_fn
    def train(training: pd.DataFrame, max_leaf_nodes: int | None = None):
        ...
        return model

    @predict_fn
    def predict(model, data: np.ndarray, context: RequestContext):
        if data.shape[1] != 4:
            raise HTTPError(422, f"expected 4 features, got {data.shape[1]}")
        return model.predict(data)

Importing this package has no side effects and loads nothing heavy: pandas, scikit-learn,
numpy, boto3 and sagemaker-training are imported only where they are used.
"""

from .contract import (
    Channel,
    ContractError,
    InputMode,
    Paths,
    ResourceConfig,
    TrainingEnv,
    load_training_env,
)
from .serving.context import RequestContext
from .serving.decorators import decoder, encoder, model_fn, predict_fn
from .serving.errors import HTTPError
from .serving.workers import WorkerInfo
from .training import (
    Dask,
    Mpi,
    Torchrun,
    TrainingStopped,
    log_metric,
    metric_definitions,
    stop_requested,
    train_fn,
)

__all__ = [
    "Channel",
    "ContractError",
    "Dask",
    "HTTPError",
    "InputMode",
    "Mpi",
    "Paths",
    "RequestContext",
    "ResourceConfig",
    "Torchrun",
    "TrainingEnv",
    "TrainingStopped",
    "WorkerInfo",
    "decoder",
    "encoder",
    "load_training_env",
    "log_metric",
    "metric_definitions",
    "model_fn",
    "predict_fn",
    "stop_requested",
    "train_fn",
]

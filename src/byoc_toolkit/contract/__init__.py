"""The /opt/ml contract: typed, immutable views of what SageMaker puts in a container."""

from .channels import Channel, InputMode, read_channels
from .environment import TrainingEnv, load_training_env
from .errors import ContractError
from .hyperparameters import read_raw_hyperparameters
from .paths import BASE_DIR_ENV, DEFAULT_ROOT, Paths, resolve_root
from .resources import InstanceGroup, ResourceConfig, read_resource_config

__all__ = [
    "BASE_DIR_ENV",
    "DEFAULT_ROOT",
    "Channel",
    "ContractError",
    "InputMode",
    "InstanceGroup",
    "Paths",
    "ResourceConfig",
    "TrainingEnv",
    "load_training_env",
    "read_channels",
    "read_raw_hyperparameters",
    "read_resource_config",
    "resolve_root",
]

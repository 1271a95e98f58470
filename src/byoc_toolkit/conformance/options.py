"""What ``byoc check`` is asked to check, and with what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: SageMaker's documented health-check window after start-up (configurable per endpoint
#: with ContainerStartupHealthCheckTimeoutInSeconds).
DEFAULT_STARTUP_ALLOWANCE = 240.0
#: How long a training run may take before the check gives up on it.
DEFAULT_TRAINING_LIMIT = 600.0


@dataclass(frozen=True)
class Payload:
    """A request body the model accepts, with its Content-Type."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class CheckOptions:
    image: str
    #: An /opt/ml tree (input/config, input/data) to train on.
    train_dir: Path | None = None
    #: A model dir or model.tar.gz to serve instead of the one training wrote.
    model: Path | None = None
    payload: Payload | None = None
    #: The container's environment, as CreateModel's or CreateTrainingJob's Environment.
    env: Mapping[str, str] = field(default_factory=dict)
    startup_allowance: float = DEFAULT_STARTUP_ALLOWANCE
    training_limit: float = DEFAULT_TRAINING_LIMIT

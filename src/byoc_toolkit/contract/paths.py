"""Where things live under the /opt/ml root, and how that root is chosen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOT = Path("/opt/ml")
BASE_DIR_ENV = "SAGEMAKER_BASE_DIR"


def resolve_root(root: str | os.PathLike[str] | None = None,
                 environ: Mapping[str, str] | None = None) -> Path:
    """The contract's root: ``root`` if given, else ``$SAGEMAKER_BASE_DIR``, else /opt/ml."""
    if root is not None:
        return Path(root)
    environ = os.environ if environ is None else environ
    value = environ.get(BASE_DIR_ENV)
    return Path(value) if value else DEFAULT_ROOT


@dataclass(frozen=True)
class Paths:
    """The fixed layout of the /opt/ml tree, rooted anywhere.

    Nothing here touches the file system: these are names, not directories that exist.
    """

    root: Path

    @property
    def input_dir(self) -> Path:
        return self.root / "input"

    @property
    def input_config_dir(self) -> Path:
        return self.input_dir / "config"

    @property
    def input_data_dir(self) -> Path:
        return self.input_dir / "data"

    @property
    def hyperparameters_file(self) -> Path:
        return self.input_config_dir / "hyperparameters.json"

    @property
    def input_data_config_file(self) -> Path:
        return self.input_config_dir / "inputdataconfig.json"

    @property
    def resource_config_file(self) -> Path:
        return self.input_config_dir / "resourceconfig.json"

    @property
    def checkpoint_config_file(self) -> Path:
        return self.input_config_dir / "checkpointconfig.json"

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def models_dir(self) -> Path:
        """Where SageMaker puts the models of a multi-model endpoint."""
        return self.root / "models"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.output_dir / "data"

    @property
    def output_intermediate_dir(self) -> Path:
        return self.output_dir / "intermediate"

    @property
    def failure_file(self) -> Path:
        return self.output_dir / "failure"

    @property
    def code_dir(self) -> Path:
        return self.root / "code"

    @property
    def default_checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    def channel_dir(self, channel: str) -> Path:
        """File and FastFile mode: the directory that holds the channel's files."""
        return self.input_data_dir / channel

    @classmethod
    def from_env(cls, root: str | os.PathLike[str] | None = None,
                 environ: Mapping[str, str] | None = None) -> Paths:
        return cls(resolve_root(root, environ))

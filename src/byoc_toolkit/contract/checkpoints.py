"""checkpointconfig.json: where SageMaker syncs checkpoints with S3."""

from __future__ import annotations

from pathlib import Path

from .config_files import read_json_object, require
from .paths import Paths


def read_checkpoint_dir(paths: Paths) -> Path:
    """``LocalPath`` of checkpointconfig.json when the file exists, else <root>/checkpoints."""
    config = read_json_object(paths.checkpoint_config_file, default=None)
    if config is None:
        return paths.default_checkpoint_dir
    local = require(config, "LocalPath", str, paths.checkpoint_config_file.name,
                    default=str(paths.default_checkpoint_dir))
    return Path(local)

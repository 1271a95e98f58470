"""Channels: inputdataconfig.json, and where each channel's data is found."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from .config_files import read_json_object, require
from .errors import ContractError
from .paths import Paths
from .pipe import open_fifo

FILE_NAME = "inputdataconfig.json"


class InputMode(str, enum.Enum):
    """How SageMaker delivers a channel (``TrainingInputMode``)."""

    FILE = "File"
    FAST_FILE = "FastFile"
    PIPE = "Pipe"


@dataclass(frozen=True)
class Channel:
    """One input channel: its name, where its data is, and how it was delivered."""

    name: str
    path: Path
    input_mode: InputMode = InputMode.FILE
    content_type: str | None = None
    s3_distribution_type: str = "FullyReplicated"
    record_wrapper_type: str = "None"

    @property
    def is_pipe(self) -> bool:
        return self.input_mode is InputMode.PIPE

    def files(self) -> list[Path]:
        """File and FastFile mode: every regular file under the channel, sorted, hidden
        files (``.``-prefixed, such as S3 folder markers) left out."""
        if self.is_pipe:
            raise ContractError(
                FILE_NAME, "is a Pipe channel: read it with open_epoch()", f"{self.name}"
            )
        if not self.path.is_dir():
            return []
        return sorted(
            p for p in self.path.rglob("*")
            if p.is_file() and not any(part.startswith(".")
                                      for part in p.relative_to(self.path).parts)
        )

    def is_empty(self) -> bool:
        """No files (File and FastFile); a Pipe channel is never known to be empty up front."""
        return False if self.is_pipe else not self.files()

    def pipe_path(self, epoch: int) -> Path:
        """Pipe mode: the FIFO SageMaker creates for one epoch, beside the channel's dir."""
        return self.path.parent / f"{self.name}_{epoch}"

    def open_epoch(self, epoch: int = 0, timeout: float = 60.0) -> BinaryIO:
        """Pipe mode: the FIFO of one epoch, opened for reading.

        SageMaker may create the FIFO a little after training starts, so this waits up to
        ``timeout`` seconds for it. Read it to the end (or close it) before the next epoch.
        """
        if not self.is_pipe:
            raise ContractError(FILE_NAME, "is not a Pipe channel: use files()", self.name)
        return open_fifo(self.pipe_path(epoch), timeout)

    def epochs(self, count: int, timeout: float = 60.0) -> Iterator[BinaryIO]:
        """Pipe mode: the streams of epochs 0..count-1, each closed before the next opens."""
        for epoch in range(count):
            with self.open_epoch(epoch, timeout) as stream:
                yield stream


def read_input_data_config(paths: Paths) -> dict[str, Any]:
    """inputdataconfig.json as written; outside SageMaker the file may be absent, and every
    directory under input/data is then a File-mode channel."""
    config = read_json_object(paths.input_data_config_file, default=None)
    if config is not None:
        return config
    if not paths.input_data_dir.is_dir():
        return {}
    return {d.name: {"TrainingInputMode": InputMode.FILE.value}
            for d in sorted(paths.input_data_dir.iterdir())
            if d.is_dir() and not d.name.startswith(".")}


def read_channels(paths: Paths,
                  config: dict[str, Any] | None = None) -> MappingProxyType[str, Channel]:
    """The channels of inputdataconfig.json (``config`` if already read), validated."""
    if config is None:
        config = read_input_data_config(paths)
    channels = {}
    for name, entry in config.items():
        if not isinstance(entry, dict):
            raise ContractError(FILE_NAME, f"expected an object, got {type(entry).__name__}",
                                name)
        mode_name = require(entry, "TrainingInputMode", str, FILE_NAME,
                            f"{name}.TrainingInputMode", default=InputMode.FILE.value)
        try:
            mode = InputMode(mode_name)
        except ValueError:
            choices = ", ".join(m.value for m in InputMode)
            raise ContractError(FILE_NAME, f"expected one of {choices}, got {mode_name!r}",
                                f"{name}.TrainingInputMode") from None
        channels[name] = Channel(
            name=name,
            path=paths.channel_dir(name),
            input_mode=mode,
            content_type=require(entry, "ContentType", str, FILE_NAME, f"{name}.ContentType",
                                 default=None),
            s3_distribution_type=require(entry, "S3DistributionType", str, FILE_NAME,
                                         f"{name}.S3DistributionType",
                                         default="FullyReplicated"),
            record_wrapper_type=require(entry, "RecordWrapperType", str, FILE_NAME,
                                        f"{name}.RecordWrapperType", default="None"),
        )
    return MappingProxyType(channels)

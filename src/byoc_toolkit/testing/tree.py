"""An /opt/ml training tree anywhere on disk, written as SageMaker writes it: the three config
files, and each channel's data in its directory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from ..contract import InputMode, Paths
from ..contract.config_files import read_json_object
from ..contract.hyperparameters import encode_hyperparameter
from ..contract.resources import LOCAL_HOST
from ..errors import InputError
from ..local.job_tree import channel_config, resource_config, write_json
from ..training.parameters import is_named_class

if TYPE_CHECKING:
    from typing import TypeAlias

    import pandas as pd

#: What a channel can be made of: a DataFrame (written as CSV without a header row, as
#: SageMaker's CSV convention has it), a directory (its contents) or a file, several
#: files, or file names mapped to their contents.
ChannelData: TypeAlias = Union[
    "pd.DataFrame", str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]],
    Mapping[str, Union[str, bytes]]]

#: The file a DataFrame channel is written to.
DATAFRAME_FILE = "data.csv"


@dataclass(frozen=True)
class TrainingTree:
    """The /opt/ml tree of one training host, rooted at ``root`` (created as needed).

    Each method writes one part of what SageMaker puts there before ``train`` starts;
    parts not written are absent, which byoc reads as SageMaker's defaults outside
    SageMaker (no hyperparameters, one host, a channel per directory).
    """

    root: Path

    @property
    def paths(self) -> Paths:
        return Paths(self.root)

    def write_hyperparameters(self, hyperparameters: Mapping[str, Any]) -> Path:
        """hyperparameters.json: strings as given (SageMaker's own strings), other values
        as the SageMaker Python SDK encodes them (``5``, ``true``, ``["a", "b"]``)."""
        path = self.paths.hyperparameters_file
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, {name: encode_hyperparameter(value)
                          for name, value in hyperparameters.items()})
        return path

    def write_resource_config(self, host: str = LOCAL_HOST,
                              hosts: Sequence[str] | None = None) -> Path:
        """resourceconfig.json: this host's name among ``hosts`` (default: only itself)."""
        path = self.paths.resource_config_file
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, resource_config(host, hosts or [host]))
        return path

    def add_channel(self, name: str, data: ChannelData | None, *,
                    mode: InputMode = InputMode.FILE, content_type: str | None = None) -> Path:
        """Put ``data`` into the channel's directory (replacing what was there) and list the
        channel in inputdataconfig.json. A Pipe channel gets only its entry: whoever feeds
        it creates ``<name>_<epoch>``. Returns the channel's directory."""
        paths = self.paths
        directory = paths.channel_dir(name)
        if mode is InputMode.PIPE:
            if data is not None:
                raise InputError(f"channel {name}: a Pipe channel is fed through its FIFOs, "
                                 "not from data given here")
            paths.input_data_dir.mkdir(parents=True, exist_ok=True)
        else:
            if data is None:
                raise InputError(f"channel {name}: no data given")
            if directory.exists():
                shutil.rmtree(directory)
            directory.mkdir(parents=True)
            _write_channel_data(name, data, directory)
        config = read_json_object(paths.input_data_config_file, default={})
        config[name] = channel_config(mode, content_type)
        paths.input_config_dir.mkdir(parents=True, exist_ok=True)
        write_json(paths.input_data_config_file, config)
        return directory

    def clear_channels(self) -> None:
        """No channels: input/data and inputdataconfig.json removed."""
        paths = self.paths
        shutil.rmtree(paths.input_data_dir, ignore_errors=True)
        paths.input_data_config_file.unlink(missing_ok=True)

    def clear_outputs(self) -> None:
        """Empty model/ and output/, as every job starts (a failure file left from an
        earlier run would otherwise be kept: byoc never overwrites one)."""
        paths = self.paths
        for directory in (paths.model_dir, paths.output_dir):
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)


def _write_channel_data(name: str, data: ChannelData, directory: Path) -> None:
    if is_named_class(type(data), "pandas", "DataFrame"):
        frame: Any = data
        frame.to_csv(directory / DATAFRAME_FILE, header=False, index=False)
    elif isinstance(data, Mapping):
        for file_name, content in data.items():
            target = directory / file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                target.write_bytes(content)
    elif isinstance(data, (str, os.PathLike)):
        _copy_into(name, Path(data), directory)
    else:
        for item in data:
            source = Path(item)
            if source.is_dir():
                raise InputError(f"channel {name}: {source} is a directory; give a "
                                 "directory alone, or files")
            _copy_into(name, source, directory)


def _copy_into(name: str, source: Path, directory: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, directory, dirs_exist_ok=True)
    elif source.is_file():
        target = directory / source.name
        if target.exists():
            raise InputError(f"channel {name}: two files named {source.name!r}")
        shutil.copy2(source, target)
    else:
        raise InputError(f"channel {name}: {source} is neither a file nor a directory")


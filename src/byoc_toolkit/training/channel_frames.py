"""Reading a channel's CSV data into a pandas DataFrame (for parameters annotated so)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, BinaryIO

from ..contract import Channel

if TYPE_CHECKING:
    import pandas as pd


def read_csv_channel(channel: Channel) -> pd.DataFrame:
    """The channel's CSV files, concatenated in name order; no header row, as SageMaker's
    CSV convention has it. A Pipe channel is read from its epoch-0 FIFO."""
    import pandas as pd

    if channel.is_pipe:
        with channel.open_epoch(0) as stream:
            return _read(pd, stream, f"{channel.pipe_path(0)}")
    files = [f for f in channel.files() if f.suffix.lower() == ".csv"]
    if not files:
        raise ValueError(f"no .csv files under {channel.path}")
    frames = [_read(pd, f, str(f)) for f in files]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _read(pandas: ModuleType, source: BinaryIO | Path, name: str) -> pd.DataFrame:
    try:
        frame: pd.DataFrame = pandas.read_csv(source, header=None)
        return frame
    except (pandas.errors.ParserError, pandas.errors.EmptyDataError,
            UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read CSV {name}: {exc}") from None

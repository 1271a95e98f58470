"""A training tree and a payload made up for a byoc image whose @train_fn reads its channels
as DataFrames: numeric CSV rows, the label first (SageMaker's CSV convention), and rows of
the features alone to predict on."""

from __future__ import annotations

from pathlib import Path

from ..contract import InputMode
from ..testing.tree import TrainingTree
from ..training.parameters import ChannelForm
from .options import Payload
from .probe import TrainSignature

ROWS = 40
FEATURES = 4
PAYLOAD_ROWS = 5
DATA_FILE = "generated.csv"


def blocker(signature: TrainSignature) -> str | None:
    """Why no tree can be made up for this function, or None."""
    for channel in signature.channels:
        if channel.required and channel.form is not ChannelForm.DATAFRAME:
            return (f"channel {channel.name} is read as a {channel.form.value}, and only "
                    "DataFrame channels get generated CSV data; pass --train-dir")
    if signature.required_hyperparameters:
        names = ", ".join(signature.required_hyperparameters)
        return f"hyperparameters without a default ({names}); pass --train-dir"
    return None


def describe() -> str:
    return f"generated data: {ROWS} CSV rows of a 0/1 label and {FEATURES} numbers"


def write_tree(root: Path, signature: TrainSignature, *, piped: bool = False) -> TrainingTree:
    """The tree, every DataFrame channel filled; with ``piped`` the first one is a Pipe
    channel instead, whose FIFO ``<name>_0`` the caller feeds (or never does)."""
    tree = TrainingTree(root)
    tree.write_hyperparameters({})
    tree.write_resource_config()
    frames = [c for c in signature.channels if c.form is ChannelForm.DATAFRAME]
    for index, channel in enumerate(frames):
        if piped and index == 0:
            tree.add_channel(channel.name, None, mode=InputMode.PIPE)
        else:
            tree.add_channel(channel.name, {DATA_FILE: _rows(labelled=True, count=ROWS)})
    tree.clear_outputs()
    return tree


def payload() -> Payload:
    return Payload(_rows(labelled=False, count=PAYLOAD_ROWS).encode(), "text/csv")


def _rows(*, labelled: bool, count: int) -> str:
    lines = []
    for row in range(count):
        label = row % 2
        features = [f"{label * 2 + ((row * 7 + column * 3) % 10) / 10:.1f}"
                    for column in range(FEATURES)]
        lines.append(",".join([str(label), *features] if labelled else features))
    return "\n".join(lines) + "\n"

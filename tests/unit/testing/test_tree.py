"""byoc_toolkit.testing.TrainingTree: an /opt/ml tree written as SageMaker writes it."""

from __future__ import annotations

import enum
import json
from pathlib import Path

import pandas as pd
import pytest

from byoc_toolkit.contract import InputMode, load_training_env
from byoc_toolkit.errors import InputError
from byoc_toolkit.testing import TrainingTree


class Color(enum.Enum):
    RED = "red"


def read(path: Path) -> object:
    return json.loads(path.read_text())


def test_hyperparameters_are_sagemakers_strings(byoc_tree: TrainingTree) -> None:
    byoc_tree.write_hyperparameters({"epochs": 3, "rate": 0.5, "verbose": True,
                                     "layers": (4, 2), "name": "gini", "color": Color.RED,
                                     "given": "[1, 2]", "out": Path("/tmp/x"),
                                     "none": None})

    assert read(byoc_tree.paths.hyperparameters_file) == {
        "epochs": "3", "rate": "0.5", "verbose": "true", "layers": "[4, 2]", "name": "gini",
        "color": "red", "given": "[1, 2]", "out": "/tmp/x", "none": "null"}


def test_channels_and_config_files_read_back(byoc_tree: TrainingTree, tmp_path: Path) -> None:
    frame = pd.DataFrame([[0, 1.5], [1, 2.5]])
    byoc_tree.add_channel("training", frame, content_type="text/csv")
    byoc_tree.add_channel("extra", {"nested/a.txt": "a", "b.bin": b"\x00"},
                          mode=InputMode.FAST_FILE)
    byoc_tree.add_channel("stream", None, mode=InputMode.PIPE)
    byoc_tree.write_resource_config("algo-2", ["algo-1", "algo-2"])

    env = load_training_env(byoc_tree.root)
    assert (env.channels["training"].path / "data.csv").read_text() == "0,1.5\n1,2.5\n"
    assert env.channels["training"].content_type == "text/csv"
    assert [p.name for p in env.channels["extra"].files()] == ["b.bin", "a.txt"]
    assert env.channels["extra"].input_mode is InputMode.FAST_FILE
    assert env.channels["stream"].is_pipe
    assert env.resources.current_host == "algo-2" and env.resources.rank == 1


def test_a_channel_added_again_is_replaced(byoc_tree: TrainingTree) -> None:
    byoc_tree.add_channel("training", {"old.csv": "1"})
    directory = byoc_tree.add_channel("training", {"new.csv": "2"})

    assert [p.name for p in directory.iterdir()] == ["new.csv"]


def test_unusable_channel_data_is_one_clear_error(byoc_tree: TrainingTree,
                                                  tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    for directory in ("one", "two"):
        (tmp_path / directory / "same.csv").write_text("1")

    with pytest.raises(InputError, match="channel training: two files named 'same.csv'"):
        byoc_tree.add_channel("training", [tmp_path / "one/same.csv",
                                           tmp_path / "two/same.csv"])
    with pytest.raises(InputError, match="is a directory; give a directory alone"):
        byoc_tree.add_channel("training", [tmp_path / "one"])
    with pytest.raises(InputError, match="a Pipe channel is fed through its FIFOs"):
        byoc_tree.add_channel("training", {"a": "b"}, mode=InputMode.PIPE)
    with pytest.raises(InputError, match="channel training: no data given"):
        byoc_tree.add_channel("training", None)

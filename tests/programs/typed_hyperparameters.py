"""Receives one hyperparameter of every supported kind and records what arrived."""

import enum
import json
from typing import Literal, Optional

from byoc_toolkit import TrainingEnv, train_fn


class Kernel(enum.Enum):
    LINEAR = "linear"
    RBF = "rbf"


@train_fn
def train(
    env: TrainingEnv,
    epochs: int,
    rate: float = 0.1,
    verbose: bool = False,
    criterion: Literal["gini", "entropy"] = "gini",
    layers: list[int] = [8],  # noqa: B006 - a default the function never mutates
    tags: Optional[list[str]] = None,
    options: dict = {},  # noqa: B006
    kernel: Kernel = Kernel.LINEAR,
    name: str = "x",
    limit: Optional[int] = 7,
):
    received = {
        "epochs": epochs, "rate": rate, "verbose": verbose, "criterion": criterion,
        "layers": layers, "tags": tags, "options": options, "kernel": kernel.value,
        "name": name, "limit": limit,
    }
    types = {k: type(v).__name__ for k, v in received.items()}
    env.output_data_dir.joinpath("received.json").write_text(
        json.dumps({"values": received, "types": types}))

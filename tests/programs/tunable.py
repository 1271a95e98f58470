"""A @train_fn with the kinds of hyperparameter a tuning job ranges over, quick to import:
byoc deploy imports the program to check a job's inputs, and the example's scikit-learn and
pandas take seconds to load."""

from pathlib import Path
from typing import Literal, Optional

from byoc_toolkit import log_metric, train_fn


@train_fn(metrics=["train:accuracy"])
def train(training: Path, max_leaf_nodes: Optional[int] = None,
          criterion: Literal["gini", "entropy", "log_loss"] = "gini",
          learning_rate: float = 0.1) -> None:
    rows = sum(len(f.read_text().splitlines()) for f in training.glob("*.csv"))
    log_metric("train:accuracy", 1.0 if rows else 0.0)

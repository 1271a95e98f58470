"""Logs a falling loss for a few steps, then fails: the failing-training case."""

import pandas as pd

from byoc_toolkit import log_metric, train_fn


@train_fn(metrics=["train:loss"])
def train(training: pd.DataFrame, fail_at: int = 3):
    for step in range(1, fail_at + 1):
        log_metric("train:loss", 1.0 / step, step=step)
    raise RuntimeError(f"loss diverged at step {fail_at} on {len(training)} rows")

"""A long training loop that checkpoints when the job is stopped.

Mode "raise" (default): catches TrainingStopped, checkpoints, re-raises.
Mode "flag": polls stop_requested(), checkpoints and returns a model.
"""

import os
import time

from byoc_toolkit import TrainingEnv, TrainingStopped, stop_requested, train_fn

MODE = os.environ.get("STOPPABLE_MODE", "raise")


def checkpoint(env: TrainingEnv, step: int) -> None:
    env.checkpoint_dir.mkdir(parents=True, exist_ok=True)
    env.checkpoint_dir.joinpath("checkpoint.txt").write_text(f"step={step}")


@train_fn(on_sigterm=MODE)
def train(env: TrainingEnv):
    env.output_data_dir.joinpath("started").write_text("yes")
    step = 0
    try:
        while not stop_requested():
            step += 1
            time.sleep(0.01)
    except TrainingStopped:
        checkpoint(env, step)
        raise
    checkpoint(env, step)
    return {"steps": step}

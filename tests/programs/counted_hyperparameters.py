"""Takes any hyperparameters and records how many arrived, and how many SM_HP_* variables."""

import json
import os

from byoc_toolkit import TrainingEnv, train_fn


@train_fn
def train(env: TrainingEnv, **hyperparameters):
    env.output_data_dir.joinpath("received.json").write_text(json.dumps({
        "count": len(hyperparameters),
        "variables": sum(name.startswith("SM_HP_") for name in os.environ),
        "hps": len(json.loads(os.environ["SM_HPS"]))}))

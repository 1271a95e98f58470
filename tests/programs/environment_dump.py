"""Records what the training environment looks like from inside the function."""

import json
import os

from byoc_toolkit import ResourceConfig, TrainingEnv, train_fn


@train_fn
def train(env: TrainingEnv, resources: ResourceConfig, **hyperparameters):
    dump = {
        "rank": resources.rank,
        "master": resources.master_host,
        "hosts": list(resources.hosts),
        "host_count": resources.host_count,
        "current_group": resources.current_group_name,
        "checkpoint_dir": str(env.checkpoint_dir),
        "hyperparameters": hyperparameters,
        "sm_env": {k: v for k, v in os.environ.items() if k.startswith("SM_")},
    }
    env.output_data_dir.joinpath("environment.json").write_text(json.dumps(dump))

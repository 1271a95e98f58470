"""Every torchrun process: an all_reduce of the ranks over gloo; rank ``fail_rank`` raises
before it instead. Returns what rank 0 saw (only rank 0's result is saved). torch is imported
in the function: each host's byoc imports the program too, and torch's import is the slowest
part of these tests."""

import os

from byoc_toolkit import TrainingEnv, train_fn


@train_fn(distributed="torchrun")
def train(env: TrainingEnv, fail_rank: int = -1) -> dict[str, object]:
    import torch
    import torch.distributed as dist

    if env.rank == fail_rank:
        raise ValueError(f"rank {env.rank} was told to fail")
    dist.init_process_group("gloo")
    total = torch.tensor([float(env.rank)])
    dist.all_reduce(total)
    dist.destroy_process_group()
    print(f"rank {env.rank} of {env.world_size} (local {env.local_rank}): sum {total.item()}",
          flush=True)
    return {"rank": env.rank, "local_rank": env.local_rank, "world_size": env.world_size,
            "sum": total.item(), "environ": [os.environ[n] for n in
                                             ("RANK", "LOCAL_RANK", "WORLD_SIZE")]}

"""Every MPI process: an allreduce of the ranks through mpi4py, and which host each rank ran
on (SM_CURRENT_HOST, gathered); rank ``fail_rank`` raises before the allreduce instead.
Returns what rank 0 saw (only rank 0's result is saved). mpi4py is imported in the function:
each host's byoc imports the program too, and would initialize MPI there."""

import os

from byoc_toolkit import TrainingEnv, train_fn


@train_fn(distributed="mpi")
def train(env: TrainingEnv, fail_rank: int = -1) -> dict[str, object]:
    from mpi4py import MPI

    world = MPI.COMM_WORLD
    if env.rank == fail_rank:
        raise ValueError(f"rank {env.rank} was told to fail")
    total = world.allreduce(env.rank)
    hosts = world.allgather(os.environ["SM_CURRENT_HOST"])
    print(f"rank {env.rank} of {env.world_size} (local {env.local_rank}) on "
          f"{os.environ['SM_CURRENT_HOST']}: sum {total}", flush=True)
    return {"rank": env.rank, "local_rank": env.local_rank, "world_size": env.world_size,
            "sum": total, "hosts": hosts, "mpi": [world.Get_rank(), world.Get_size()],
            "environ": [os.environ[n] for n in ("RANK", "LOCAL_RANK", "WORLD_SIZE")]}

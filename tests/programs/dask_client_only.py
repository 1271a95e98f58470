"""A Dask @train_fn that reads no data and imports nothing else: for the cluster's failures
before any launcher, where the program's import is all that takes time."""

from distributed import Client

from byoc_toolkit import train_fn


@train_fn(distributed="dask")
def train(client: Client) -> int:
    return len(client.nthreads())

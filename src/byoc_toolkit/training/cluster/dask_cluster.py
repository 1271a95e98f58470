"""``@train_fn(distributed="dask")``: the master host runs a Dask scheduler and a worker,
every other host a worker; the function runs once, on the master, with a
``distributed.Client`` connected to all of them (scikit-learn spreads through joblib's Dask
backend). The other hosts serve until the master's outcome, and end as it ends."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ...contract import TrainingEnv
from ...errors import log
from ...registry import TrainSpec
from ..parameters import bind
from ..runner import train_in_process
from .formation import Cluster, Finish, form_cluster, supervise
from .hosts import wait_for_port
from .options import Dask
from .outcome import SUCCESS, ClusterError, Outcome
from .processes import start_process, stop_process
from .settings import ClusterSettings, Deadline

#: How long a worker gets to close by itself once the master has succeeded (the master shuts
#: the scheduler and its workers down).
WORKER_CLOSE_SECONDS = 10.0

if TYPE_CHECKING:
    from distributed import Client


def run_dask(spec: TrainSpec, env: TrainingEnv, options: Dask,
             settings: ClusterSettings) -> None:
    """Form the cluster, then run the scheduler and the function (master) or a worker."""
    cluster = form_cluster(env.resources, options.instance_group, settings, Finish.MASTER)
    if cluster is None:
        return
    port = settings.master_port or options.scheduler_port
    with cluster:
        if cluster.is_master:
            _run_master(spec, env, cluster, port, settings)
        else:
            _serve(cluster, port, settings)


def _scheduler_address(cluster: Cluster, port: int) -> str:
    return f"tcp://{cluster.master_addr}:{port}"


def _worker(cluster: Cluster, port: int, settings: ClusterSettings) -> subprocess.Popen[bytes]:
    # No nanny: byoc supervises the worker itself, and a dead worker is its host's failure.
    return start_process([
        sys.executable, "-m", "distributed.cli.dask_worker", _scheduler_address(cluster, port),
        "--host", cluster.address, "--name", cluster.current_host, "--nworkers", "1",
        "--no-nanny", "--no-dashboard", "--death-timeout", f"{settings.timeout:g}"],
        os.environ)


def _serve(cluster: Cluster, port: int, settings: ClusterSettings) -> None:
    worker = _worker(cluster, port, settings)
    outcome = None
    try:
        outcome = supervise(worker, cluster, lambda code: Outcome.failed(
            f"the Dask worker on {cluster.current_host} exited with code {code} before the "
            f"training finished"))
    finally:
        stop_process(worker, WORKER_CLOSE_SECONDS if outcome is not None and outcome.ok
                     else 0.0)
    outcome.raise_if_failed()


def _run_master(spec: TrainSpec, env: TrainingEnv, cluster: Cluster, port: int,
                settings: ClusterSettings) -> None:
    from distributed import Client

    scheduler = start_process([
        sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", cluster.address,
        "--port", str(port), "--no-dashboard"], os.environ)
    worker = None
    outcome = None
    try:
        deadline = Deadline(settings.timeout)
        wait_for_port(f"the Dask scheduler on {cluster.current_host}", cluster.address, port,
                      deadline, alive=lambda: scheduler.poll() is None)
        worker = _worker(cluster, port, settings)
        cluster.start_members()
        with Client(_scheduler_address(cluster, port), timeout=max(deadline.remaining(), 1.0),
                    set_as_default=True) as client:
            _wait_for_workers(client, cluster, deadline)
            train_in_process(spec, env, bind(spec.parameters, env, dask_client=client),
                             save=True)
            cluster.coordinator.report(SUCCESS)
            # Decided now: success, unless another host failed while the function ran.
            outcome = cluster.coordinator.wait(0)
            client.shutdown()  # the scheduler closes every worker, then itself
    except BaseException as exc:
        cluster.report_failure(exc)  # before the workers see the scheduler go
        raise
    finally:
        for process in (worker, scheduler):
            if process is not None:
                stop_process(process, WORKER_CLOSE_SECONDS if outcome is not None else 0.0)
    if outcome is not None:
        outcome.raise_if_failed()


def _wait_for_workers(client: Client, cluster: Cluster, deadline: Deadline) -> None:
    try:
        client.wait_for_workers(len(cluster.hosts), timeout=max(deadline.remaining(), 1.0))
    except TimeoutError:
        present = {urlparse(address).hostname for address in client.nthreads()}
        missing = [h for h in cluster.hosts if cluster.addresses[h] not in present]
        raise ClusterError(f"no Dask worker from {', '.join(missing) or 'some hosts'} joined "
                           f"the scheduler on {cluster.current_host} within "
                           f"{deadline.seconds:g} s") from None
    log(f"Dask cluster ready: {len(client.nthreads())} workers")

"""``@train_fn(distributed="torchrun")``: torch's own launcher, ``torch.distributed.run``, on
every host of the cluster; each of its processes runs the function (rank_process.py)."""

from __future__ import annotations

import sys

from ...contract import TrainingEnv
from ...errors import log
from ...registry import TrainSpec
from ..parameters import bind
from .formation import Finish, form_cluster, supervise
from .options import Torchrun
from .outcome import SUCCESS, Outcome
from .processes import start_process, stop_process
from .ranks import HostRanks, processes_per_host
from .settings import ClusterSettings


def run_torchrun(spec: TrainSpec, env: TrainingEnv, options: Torchrun,
                 settings: ClusterSettings, program: str | None) -> None:
    """Form the cluster, run torchrun on this host, end as the whole job ends."""
    cluster = form_cluster(env.resources, options.instance_group, settings, Finish.EVERY_HOST)
    if cluster is None:
        return
    with cluster:
        bind(spec.parameters, env)  # the job's input, checked once before any process
        nproc = processes_per_host(settings.nproc_per_node, options.nproc_per_node)
        port = settings.master_port or options.master_port
        command = [sys.executable, "-m", "torch.distributed.run",
                   f"--nnodes={len(cluster.hosts)}", f"--node-rank={cluster.rank}",
                   f"--nproc-per-node={nproc}", f"--master-addr={cluster.master_addr}",
                   f"--master-port={port}", "--max-restarts=0",
                   "-m", "byoc_toolkit.training.cluster.rank_process"]
        with HostRanks(env, program) as ranks:
            log(f"torchrun: node {cluster.rank} of {len(cluster.hosts)}, {nproc} process(es), "
                f"master {cluster.master_addr}:{port}")
            cluster.start_members()
            process = start_process(command, ranks.environ)
            try:
                outcome = supervise(process, cluster, lambda code: _host_result(
                    code, ranks, cluster.current_host))
            finally:
                stop_process(process)
    outcome.raise_if_failed()


def _host_result(code: int, ranks: HostRanks, host: str) -> Outcome:
    """This host's result from torchrun's exit code and the failures its processes wrote."""
    if code == 0:
        return SUCCESS
    return ranks.first_failure() or Outcome.failed(
        f"torchrun on {host} exited with code {code} and no process reported a Python "
        f"exception (see {host}'s log)")

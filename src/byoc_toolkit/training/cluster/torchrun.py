"""``@train_fn(distributed="torchrun")``: torch's own launcher, ``torch.distributed.run``, on
every host of the cluster; each of its processes runs the function (torch_process.py)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from ...contract import BASE_DIR_ENV, TrainingEnv
from ...contract.sm_env_vars import count_gpus
from ...errors import log
from ...program import PROGRAM_ENV, resolve_program
from ...registry import TrainSpec
from ..parameters import bind
from .formation import Finish, form_cluster, supervise
from .options import Torchrun
from .outcome import SUCCESS, Outcome
from .processes import start_process, stop_process
from .settings import ClusterSettings

#: Where each process that fails writes its reason (rank-N.json), for its host to report.
RANK_FAILURES_ENV = "BYOC_RANK_FAILURES"
#: The network interface gloo and NCCL use: resourceconfig's (eth0 on SageMaker, lo locally).
SOCKET_IFNAME_VARIABLES = ("GLOO_SOCKET_IFNAME", "NCCL_SOCKET_IFNAME")


def run_torchrun(spec: TrainSpec, env: TrainingEnv, options: Torchrun,
                 settings: ClusterSettings, program: str | None) -> None:
    """Form the cluster, run torchrun on this host, end as the whole job ends."""
    cluster = form_cluster(env.resources, options.instance_group, settings, Finish.EVERY_HOST)
    if cluster is None:
        log(f"{env.resources.current_host} is not in instance group {options.instance_group!r}:"
            f" nothing to run here")
        return
    with cluster:
        bind(spec.parameters, env)  # the job's input, checked once before any process
        nproc = settings.nproc_per_node or options.nproc_per_node or count_gpus() or 1
        port = settings.master_port or options.master_port
        command = [sys.executable, "-m", "torch.distributed.run",
                   f"--nnodes={len(cluster.hosts)}", f"--node-rank={cluster.rank}",
                   f"--nproc-per-node={nproc}", f"--master-addr={cluster.master_addr}",
                   f"--master-port={port}", "--max-restarts=0",
                   "-m", "byoc_toolkit.training.cluster.torch_process"]
        with tempfile.TemporaryDirectory(prefix="byoc-ranks-") as records:
            environ = {**os.environ, PROGRAM_ENV: _absolute(resolve_program(program)),
                       BASE_DIR_ENV: str(env.paths.root), RANK_FAILURES_ENV: records}
            for name in SOCKET_IFNAME_VARIABLES:
                environ.setdefault(name, env.resources.network_interface_name)
            log(f"torchrun: node {cluster.rank} of {len(cluster.hosts)}, {nproc} process(es), "
                f"master {cluster.master_addr}:{port}")
            cluster.start_members()
            process = start_process(command, environ)
            try:
                outcome = supervise(process, cluster,
                                    lambda code: _host_result(code, Path(records),
                                                              cluster.current_host))
            finally:
                stop_process(process)
    outcome.raise_if_failed()


def _absolute(program: str) -> str:
    # The processes import the same file whatever their working directory.
    return str(Path(program).resolve()) if program.endswith(".py") or os.sep in program \
        else program


def _host_result(code: int, records: Path, host: str) -> Outcome:
    """This host's result from torchrun's exit code and the failures its processes wrote:
    the first process to fail is the cause, the others mostly fail because of it."""
    if code == 0:
        return SUCCESS
    failures = []
    for path in records.glob("rank-*.json"):
        try:
            failures.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    if not failures:
        return Outcome.failed(f"torchrun on {host} exited with code {code} and no process "
                              f"reported a Python exception (see {host}'s log)")
    first = min(failures, key=lambda f: f.get("time", 0))
    return Outcome.failed(str(first.get("reason")), first.get("details"))

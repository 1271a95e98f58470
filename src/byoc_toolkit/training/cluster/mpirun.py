"""``@train_fn(distributed="mpi")``: Open MPI's own ``mpirun`` on the master, over every host
of the cluster, with no SSH: mpirun starts its daemon (orted) on each other host through
byoc's relay (mpi_relay), and that host's byoc runs it, with the host's own environment.
Each of the processes runs the function (mpi_process). The other hosts end as the master's
mpirun ends, or fail the job at once when one of their processes fails."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence

from ...contract import TrainingEnv
from ...errors import InputError, log
from ...registry import TrainSpec
from ..parameters import bind
from .coordinator import Master, Member
from .formation import Cluster, Finish, form_cluster, supervise
from .mpi_process import SHARED_MEMORY_DIR_ENV
from .mpi_relay import RELAY_SOCKET_ENV, Relay, agent_command
from .options import Mpi
from .outcome import SUCCESS, Outcome
from .processes import start_process, stop_process
from .ranks import HostRanks, processes_per_host
from .settings import ClusterSettings

#: How long the master waits, when mpirun failed and none of its own processes recorded why,
#: for another host to report its process's failure (recorded before mpirun learned of it).
RANK_REPORT_GRACE = 10.0
#: How long mpirun and its daemons get to end by themselves once the job's outcome is known:
#: mpirun ends its daemons when it succeeds, and the whole job when a process calls
#: MPI_Abort; a signal in the middle of that only adds Open MPI's own errors to the log.
END_SECONDS = 10.0
#: Where shared-memory segments belong (the host's own directory is made there).
SHARED_MEMORY = "/dev/shm"
#: An Open MPI process running as root (SageMaker's containers run as root) needs both.
ALLOW_ROOT = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def run_mpi(spec: TrainSpec, env: TrainingEnv, options: Mpi, settings: ClusterSettings,
            program: str | None) -> None:
    """Form the cluster, run mpirun (master) or what it relays here (the others), end as the
    whole job ends."""
    cluster = form_cluster(env.resources, options.instance_group, settings, Finish.MASTER)
    if cluster is None:
        return
    with cluster:
        require_open_mpi()  # here, so that a host without it fails the others at once
        bind(spec.parameters, env)  # the job's input, checked once before any process
        shared_memory = SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) else None
        with HostRanks(env, program, shared_memory) as ranks:
            ranks.environ[SHARED_MEMORY_DIR_ENV] = str(ranks.directory)
            coordinator = cluster.coordinator
            if isinstance(coordinator, Master):
                nproc = processes_per_host(settings.nproc_per_node, options.processes_per_host)
                outcome = _run_mpirun(cluster, coordinator, ranks, nproc,
                                      options.mpirun_options,
                                      env.resources.network_interface_name)
            else:
                outcome = _serve(cluster, coordinator, ranks)
    outcome.raise_if_failed()


def require_open_mpi() -> None:
    """An InputError naming what to install when Open MPI's commands are not on PATH (mpirun
    on the master, its daemon orted on every host)."""
    for command in ("mpirun", "orted"):
        if shutil.which(command) is None:
            raise InputError(f"this @train_fn is distributed with MPI, but Open MPI's {command} "
                             f"is not on PATH: install Open MPI in the image (Debian: apt-get "
                             f"install openmpi-bin) and pip install 'byoc-toolkit[mpi]'")


def mpirun_environment(environ: Mapping[str, str], interface: str,
                       relay_socket: str) -> dict[str, str]:
    """mpirun's environment: the MCA parameters that make it start its daemons through byoc,
    and byoc's defaults for the rest (the job's environment and ``mpirun_options`` win)."""
    defaults = {
        # Open MPI's TCP traffic on resourceconfig's interface (eth0; lo locally).
        "OMPI_MCA_oob_tcp_if_include": interface,
        "OMPI_MCA_btl_tcp_if_include": interface,
        # Ranks fill the hosts in SageMaker's order (0..P-1 on the master); byoc does not
        # know how the function uses cores, so it binds none.
        "OMPI_MCA_rmaps_base_mapping_policy": "slot",
        "OMPI_MCA_hwloc_base_binding_policy": "none",
        # Every process's output reaches the master's log: prefixed with its rank.
        "OMPI_MCA_orte_tag_output": "1",
        # Docker's default seccomp profile forbids the cross-memory attach it would use.
        "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    }
    return {**defaults, **environ, **(ALLOW_ROOT if os.geteuid() == 0 else {}),
            "OMPI_MCA_plm_rsh_agent": agent_command(),
            # Only the master's byoc can relay: no daemon starts another.
            "OMPI_MCA_plm_rsh_no_tree_spawn": "1",
            # A daemon that detached from its command could not be watched by its host.
            "OMPI_MCA_orte_leave_session_attached": "1",
            RELAY_SOCKET_ENV: relay_socket}


def _run_mpirun(cluster: Cluster, master: Master, ranks: HostRanks, nproc: int,
                mpirun_options: Sequence[str], interface: str) -> Outcome:
    hosts = ",".join(f"{cluster.addresses[h]}:{nproc}" for h in cluster.hosts)
    command = ["mpirun", "--host", hosts, "-np", str(nproc * len(cluster.hosts)),
               *mpirun_options, sys.executable, "-m",
               "byoc_toolkit.training.cluster.mpi_process"]
    socket_path = ranks.directory / "relay.sock"
    environ = mpirun_environment(ranks.environ, interface, str(socket_path))
    with Relay(socket_path, cluster, master) as relay:
        log(f"mpirun: {len(cluster.hosts)} host(s), {nproc} process(es) each: "
            f"{' '.join(command)}")
        cluster.start_members()
        process = start_process(command, environ)
        outcome = None
        try:
            outcome = supervise(process, cluster, lambda code: _master_result(
                code, ranks, cluster, relay))
        finally:
            stop_process(process, END_SECONDS if outcome is not None else 0.0)
    return outcome


def _master_result(code: int, ranks: HostRanks, cluster: Cluster, relay: Relay) -> Outcome:
    if code == 0:
        return SUCCESS
    failure = ranks.first_failure()
    if failure is None and relay.relayed:
        cluster.coordinator.wait(RANK_REPORT_GRACE)  # decided by that report, if it comes
    host = cluster.current_host
    return failure or Outcome.failed(
        f"mpirun on {host} exited with code {code} and no process reported a Python exception "
        f"(see {host}'s log: it has mpirun's messages and every process's output)")


def _serve(cluster: Cluster, member: Member, ranks: HostRanks) -> Outcome:
    """Run the daemon mpirun relays here; end as the job ends."""
    command = member.next_command()
    if isinstance(command, Outcome):
        return command
    log(f"starting Open MPI's daemon (orted) for mpirun on {cluster.master}")
    process = start_process(["/bin/sh", "-c", command], ranks.environ)
    outcome = None
    try:
        outcome = supervise(process, cluster, lambda code: _member_result(
            code, ranks, cluster.current_host, member))
    finally:
        stop_process(process, END_SECONDS if outcome is not None else 0.0)
    return outcome


def _member_result(code: int, ranks: HostRanks, host: str, member: Member) -> Outcome:
    member.report_exit(code)  # the agent on the master exits with it, as ssh would
    failure = ranks.first_failure()
    if failure is not None:
        return failure
    if code == 0:  # also when mpirun ended the job because another host failed
        return SUCCESS
    return Outcome.failed(f"Open MPI's daemon (orted) on {host} exited with code {code} "
                          f"(see {host}'s log)")

"""The cluster's parts in-process: names to addresses, the coordinator over real sockets on
127.0.0.1, instance groups, the launcher options and their settings, mpirun's remote-shell
agent (a real process) relaying through the coordinator."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from distributed import Client

from byoc_toolkit import Dask, Mpi, Torchrun, load_training_env, train_fn
from byoc_toolkit.contract import ResourceConfig
from byoc_toolkit.contract.errors import ContractError
from byoc_toolkit.contract.resources import InstanceGroup
from byoc_toolkit.env_settings import SettingsError
from byoc_toolkit.errors import InputError, RegistrationError
from byoc_toolkit.registry import reset
from byoc_toolkit.testing.ports import free_port
from byoc_toolkit.training.cluster.coordinator import Master, Member
from byoc_toolkit.training.cluster.formation import Cluster, Finish, form_cluster
from byoc_toolkit.training.cluster.hosts import (
    format_hosts_file,
    lookup_with,
    read_hosts_file,
    resolve_all,
)
from byoc_toolkit.training.cluster.mpi_relay import RELAY_SOCKET_ENV, Relay, agent_command
from byoc_toolkit.training.cluster.mpirun import mpirun_environment, require_open_mpi
from byoc_toolkit.training.cluster.options import as_distribution
from byoc_toolkit.training.cluster.outcome import SUCCESS, ClusterError, Outcome
from byoc_toolkit.training.cluster.settings import ClusterSettings, Deadline


def test_hosts_file_maps_names_before_the_system_resolver(tmp_path):
    path = tmp_path / "hosts"
    path.write_text(format_hosts_file({"algo-1": "127.0.0.2", "algo-2": "127.0.0.3"})
                    + "# a comment\n\n127.0.0.9 algo-2 other\n")
    assert read_hosts_file(path) == {"algo-1": "127.0.0.2", "algo-2": "127.0.0.3",
                                     "other": "127.0.0.9"}
    asked = []

    def system(name: str) -> str:
        asked.append(name)
        raise socket.gaierror(-2, "Name or service not known")

    lookup = lookup_with(path, system)
    assert lookup("algo-2") == "127.0.0.3" and asked == []
    with pytest.raises(OSError):
        lookup("algo-3")
    assert asked == ["algo-3"]


@pytest.mark.parametrize(("text", "message"), [
    ("algo-1 127.0.0.2\n", "hosts:1: 'algo-1' is not an IP address"),
    ("\n127.0.0.2\n", "hosts:2: an address without a name"),
])
def test_bad_hosts_file_lines_are_named(tmp_path, text, message):
    (tmp_path / "hosts").write_text(text)
    with pytest.raises(ClusterError, match=message):
        read_hosts_file(tmp_path / "hosts")


def test_names_that_resolve_late_are_retried():
    tries = {"algo-2": 0}

    def late(name: str) -> str:
        if name == "algo-2" and tries["algo-2"] < 2:
            tries["algo-2"] += 1
            raise socket.gaierror(-2, "Name or service not known")
        return {"algo-1": "10.0.0.1", "algo-2": "10.0.0.2"}[name]

    assert resolve_all(["algo-1", "algo-2"], late, Deadline(10)) == {
        "algo-1": "10.0.0.1", "algo-2": "10.0.0.2"}
    assert tries["algo-2"] == 2


def test_a_name_that_never_resolves_is_named_within_the_timeout():
    def never(name: str) -> str:
        raise socket.gaierror(-2, "Name or service not known")

    started = time.monotonic()
    with pytest.raises(ClusterError, match="host algo-3 does not resolve after 0.5 s"):
        resolve_all(["algo-3"], never, Deadline(0.5))
    assert time.monotonic() - started < 2


def _members(port: int, hosts: list[str], deadline: float = 10):
    """Join ``hosts`` as members in threads; returns the members and their errors."""
    members = {h: Member(h, "algo-1", "127.0.0.1", port) for h in hosts}
    errors: dict[str, BaseException] = {}

    def join(member: Member) -> None:
        try:
            member.join(Deadline(deadline))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors[member.host] = exc

    threads = [threading.Thread(target=join, args=(m,)) for m in members.values()]
    for thread in threads:
        thread.start()
    return members, errors, threads


@contextmanager
def formed(members: list[str], must_finish: list[str]) -> Iterator[tuple[Master, dict]]:
    """A master on 127.0.0.1 with ``members`` checked in and started."""
    port = free_port()
    master = Master("algo-1", "127.0.0.1", port, members, must_finish)
    joined, errors, threads = _members(port, members)
    try:
        master.gather(Deadline(10))
        master.start()
        for thread in threads:
            thread.join(10)
        assert errors == {}
        yield master, joined
    finally:
        for member in joined.values():
            member.close()
        master.close()


def test_every_host_checks_in_and_learns_the_outcome_when_all_have_finished():
    with formed(["algo-2", "algo-3"], ["algo-1", "algo-2", "algo-3"]) as (master, members):
        members["algo-2"].report(SUCCESS)
        master.report(SUCCESS)
        assert master.wait(0.3) is None  # algo-3 has not finished
        members["algo-3"].report(SUCCESS)
        assert master.wait(5) == SUCCESS
        assert all(m.wait(5) == SUCCESS for m in members.values())


def test_the_first_failure_is_every_hosts_outcome_at_once():
    with formed(["algo-2", "algo-3"], ["algo-1", "algo-2", "algo-3"]) as (master, members):
        failure = Outcome.failed("rank 5 on algo-3: ValueError: no", "Traceback ...")
        members["algo-3"].report(failure)
        assert master.wait(5) == failure
        assert members["algo-2"].wait(5) == failure
        members["algo-2"].report(SUCCESS)  # too late: the outcome is decided
        assert master.wait(0) == failure


def test_a_host_that_never_checks_in_is_named_to_everyone():
    port = free_port()
    master = Master("algo-1", "127.0.0.1", port, ["algo-2", "algo-3"],
                    must_finish=["algo-1"])
    members, errors, threads = _members(port, ["algo-2"])
    try:
        started = time.monotonic()
        with pytest.raises(ClusterError) as raised:
            master.gather(Deadline(1.5))
        assert time.monotonic() - started < 5
        assert str(raised.value) == ("the cluster did not form: algo-3 did not reach the "
                                     "master algo-1 within 1.5 s (checked in: algo-1, algo-2)")
        threads[0].join(10)
        assert str(errors["algo-2"]) == str(raised.value)
    finally:
        members["algo-2"].close()
        master.close()


def test_a_master_that_never_comes_up_is_named():
    port = free_port()
    member = Member("algo-2", "algo-1", "127.0.0.1", port)
    with pytest.raises(ClusterError, match=(
            rf"the master algo-1 \(127.0.0.1:{port}\) did not accept connections from "
            rf"algo-2 within 0.5 s")):
        member.join(Deadline(0.5))


def test_a_host_that_leaves_without_a_result_fails_the_job():
    with formed(["algo-2"], ["algo-1"]) as (master, members):
        members["algo-2"].close()
        outcome = master.wait(5)
        assert outcome is not None and not outcome.ok
        assert outcome.reason.startswith("host algo-2 left the cluster before it reported")


def test_a_member_that_loses_the_master_fails():
    with formed(["algo-2"], ["algo-1"]) as (master, members):
        master.close()
        outcome = members["algo-2"].wait(5)
        assert outcome is not None and not outcome.ok
        assert outcome.reason.startswith("lost the connection to the master algo-1 (127.0.0.1:")


def test_group_hosts_keep_sagemakers_order():
    resources = ResourceConfig("algo-3", ("algo-1", "algo-2", "algo-3"), "train2",
                               instance_groups=(
                                   InstanceGroup("train1", "ml.c5.xlarge", ("algo-2",)),
                                   InstanceGroup("train2", "ml.p3.2xlarge",
                                                 ("algo-3", "algo-1"))))
    assert resources.group_hosts("train2") == ("algo-1", "algo-3")
    with pytest.raises(ContractError, match="no instance group named 'gpu' "
                                            r"\(groups: train1, train2\)"):
        resources.group_hosts("gpu")
    plain = ResourceConfig("algo-1", ("algo-1", "algo-2"))
    assert plain.group_hosts("homogeneousCluster") == ("algo-1", "algo-2")
    # A host outside the launcher's group takes no part: nothing resolved, nothing joined.
    outside = ResourceConfig("algo-2", resources.hosts, "train1",
                             instance_groups=resources.instance_groups)
    assert form_cluster(outside, "train2", ClusterSettings(), Finish.EVERY_HOST) is None


def test_distributed_options():
    assert as_distribution("torchrun") == Torchrun()
    assert as_distribution(Dask(scheduler_port=9000)) == Dask(scheduler_port=9000)
    assert as_distribution(None) is None
    assert as_distribution("mpi") == Mpi()
    with pytest.raises(RegistrationError, match="distributed must be one of 'torchrun', "
                                                "'dask', 'mpi', Torchrun"):
        as_distribution("horovod")  # type: ignore[arg-type]
    with pytest.raises(RegistrationError, match="nproc_per_node must be at least 1"):
        Torchrun(nproc_per_node=0)
    with pytest.raises(RegistrationError, match="Dask: scheduler_port must be 1-65535, got 0"):
        Dask(scheduler_port=0)


def test_a_dask_client_parameter_needs_the_dask_launcher():
    reset()
    with pytest.raises(RegistrationError, match="parameter client is a distributed.Client: "
                                                "use @train_fn"):
        @train_fn
        def train(client: Client) -> None:
            pass

    @train_fn(distributed="dask")
    def fine(client: Client) -> None:
        pass
    reset()


def test_cluster_settings_from_the_environment(tmp_path):
    assert ClusterSettings.from_env({}) == ClusterSettings()
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.2 algo-1\n")
    settings = ClusterSettings.from_env({
        "BYOC_CLUSTER_TIMEOUT": "30", "BYOC_MASTER_PORT": "29600",
        "BYOC_NPROC_PER_NODE": "4", "BYOC_HOSTS_FILE": str(hosts)})
    assert (settings.timeout, settings.master_port, settings.nproc_per_node,
            settings.hosts_file) == (30.0, 29600, 4, hosts)
    with pytest.raises(SettingsError, match="BYOC_COORDINATOR_PORT: expected an integer "
                                            "between 1 and 65535, got 70000"):
        ClusterSettings.from_env({"BYOC_COORDINATOR_PORT": "70000"})
    with pytest.raises(SettingsError, match="BYOC_HOSTS_FILE: /nowhere is not a file"):
        ClusterSettings.from_env({"BYOC_HOSTS_FILE": "/nowhere"})


def test_process_ranks_on_the_training_environment(tmp_path):
    env = load_training_env(tmp_path, {"RANK": "3", "LOCAL_RANK": "1", "WORLD_SIZE": "4"})
    assert (env.rank, env.local_rank, env.world_size) == (3, 1, 4)
    alone = load_training_env(tmp_path, {})
    assert (alone.rank, alone.local_rank, alone.world_size) == (0, 0, 1)
    with pytest.raises(SettingsError, match="RANK: expected a non-negative integer, got '-1'"):
        load_training_env(tmp_path, {"RANK": "-1"})


def test_mpi_options():
    assert Mpi(mpirun_options=["-x", "NCCL_DEBUG=INFO"]).mpirun_options == ("-x",
                                                                          "NCCL_DEBUG=INFO")
    with pytest.raises(RegistrationError, match="processes_per_host must be at least 1"):
        Mpi(processes_per_host=0)
    with pytest.raises(RegistrationError, match="mpirun_options must be a sequence of strings"):
        Mpi(mpirun_options="-x NCCL_DEBUG=INFO")  # type: ignore[arg-type]
    with pytest.raises(RegistrationError, match="mpirun_options cannot set '--host=a,b': byoc "
                                                "gives mpirun the cluster's hosts"):
        Mpi(mpirun_options=("--bind-to", "core", "--host=a,b"))


def test_the_master_has_a_member_run_a_command_and_learns_its_exit_code():
    with formed(["algo-2"], ["algo-1"]) as (master, members):
        member = members["algo-2"]
        codes: list[int | None] = []
        asking = threading.Thread(target=lambda: codes.append(master.run_on("algo-2", "exit 3")))
        asking.start()
        assert member.next_command() == "exit 3"
        member.report_exit(3)
        asking.join(5)
        assert codes == [3]
        # Once the job's outcome is decided, nobody waits for a command or its exit any more.
        master.report(SUCCESS)
        assert member.next_command() == SUCCESS
        assert master.run_on("algo-2", "true") is None


def test_mpiruns_agent_relays_a_command_to_the_host_it_names(tmp_path):
    """The agent as mpirun starts it (``AGENT HOST COMMAND...``), a real process: a command for
    a member runs there (here: the test, as algo-2's byoc) and the agent exits with its code;
    one for the master runs in the agent; a host outside the cluster is refused."""
    with formed(["algo-2"], ["algo-1"]) as (master, members):
        cluster = Cluster(("algo-1", "algo-2"), "algo-1",
                          {"algo-1": "127.0.0.2", "algo-2": "127.0.0.3"}, "127.0.0.2", master)
        socket_path = tmp_path / "relay.sock"

        def agent(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*agent_command().split(), *args], capture_output=True,
                                  text=True, timeout=60,
                                  env={**os.environ, RELAY_SOCKET_ENV: str(socket_path)})

        with Relay(socket_path, cluster, master) as relay:
            member = members["algo-2"]
            ran: list[str] = []

            def serve() -> None:
                command = member.next_command()
                assert isinstance(command, str)
                ran.append(command)
                member.report_exit(subprocess.run(["/bin/sh", "-c", command]).returncode)

            serving = threading.Thread(target=serve)
            serving.start()
            assert agent("127.0.0.3", "echo", "'two words'", ";", "exit", "7").returncode == 7
            serving.join(5)
            assert ran == ["echo 'two words' ; exit 7"] and relay.relayed
            local = agent("127.0.0.2", "echo", "on", "the", "master;", "exit", "5")
            assert (local.returncode, local.stdout) == (5, "on the master\n")
            stranger = agent("10.9.9.9", "true")
            assert stranger.returncode == 255
            assert ("mpirun asked for host '10.9.9.9', which is not one of the cluster's: "
                    "algo-1, algo-2") in stranger.stderr


def test_mpiruns_environment_starts_its_daemons_through_byoc():
    environ = mpirun_environment({"OMPI_MCA_btl_tcp_if_include": "eth1",
                                  "OMPI_MCA_plm_rsh_agent": "ssh", "PATH": "/bin"},
                                 "eth0", "/tmp/relay.sock")
    # The job's environment wins over byoc's defaults, not over what makes the relay work.
    assert environ["OMPI_MCA_btl_tcp_if_include"] == "eth1"
    assert environ["OMPI_MCA_oob_tcp_if_include"] == "eth0"
    assert environ["OMPI_MCA_plm_rsh_agent"] == agent_command()
    assert (environ["OMPI_MCA_plm_rsh_no_tree_spawn"],
            environ["OMPI_MCA_orte_leave_session_attached"]) == ("1", "1")
    assert environ[RELAY_SOCKET_ENV] == "/tmp/relay.sock" and environ["PATH"] == "/bin"


def test_a_missing_open_mpi_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="distributed with MPI, but Open MPI's mpirun is not on "
                                         "PATH: install Open MPI in the image"):
        require_open_mpi()

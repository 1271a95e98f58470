"""Forming the cluster before any launcher starts: the hosts taking part (an instance group,
in SageMaker's order), every name resolved, every host checked in with the master."""

from __future__ import annotations

import enum
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

from ...contract import ResourceConfig
from ...errors import log
from ..failure_file import failure_of
from .coordinator import POLL_SECONDS, Master, Member
from .hosts import lookup_with, resolve_all
from .outcome import Outcome
from .settings import ClusterSettings, Deadline


class Finish(enum.Enum):
    """Which hosts must finish before the job has succeeded."""

    #: Every host's launcher (torchrun: every process ends).
    EVERY_HOST = "every host"
    #: The master's (Dask: the function runs there; the others serve it until then).
    MASTER = "the master"


@dataclass
class Cluster:
    """The hosts taking part, their addresses, and this host's coordinator."""

    hosts: tuple[str, ...]
    current_host: str
    addresses: Mapping[str, str]
    #: The address the engine's processes reach the master at.
    master_addr: str
    coordinator: Master | Member

    @property
    def master(self) -> str:
        return self.hosts[0]

    @property
    def rank(self) -> int:
        return self.hosts.index(self.current_host)

    @property
    def is_master(self) -> bool:
        return self.rank == 0

    @property
    def address(self) -> str:
        """This host's own address."""
        return self.addresses[self.current_host]

    def start_members(self) -> None:
        """On the master: tell the other hosts to start their launchers."""
        if isinstance(self.coordinator, Master):
            self.coordinator.start()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Reports a failure on this host (unless the outcome is decided already), so
        that the other hosts learn of it at once, and leaves the cluster."""
        if exc is not None:
            self.report_failure(exc)
        self.coordinator.close()

    def report_failure(self, exc: BaseException) -> None:
        """Tell the cluster that this host failed with ``exc`` (unless the outcome is
        decided already)."""
        if self.coordinator.wait(0) is None:
            failure = failure_of(exc)
            self.coordinator.report(Outcome.failed(f"{self.current_host}: {failure.reason}",
                                                   failure.details))


def form_cluster(resources: ResourceConfig, group: str | None, settings: ClusterSettings,
                 finish: Finish) -> Cluster | None:
    """The cluster this host belongs to, once every host resolves and has checked in with
    the master (on the master, the others wait for ``start_members()``); None when this
    host is not in ``group``. A ClusterError names the host that is missing."""
    hosts = resources.hosts if group is None else resources.group_hosts(group)
    if resources.current_host not in hosts:
        log(f"{resources.current_host} is not in instance group {group!r}: nothing to run here")
        return None
    deadline = Deadline(settings.timeout)
    addresses = resolve_all(hosts, lookup_with(settings.hosts_file), deadline)
    current, master = resources.current_host, hosts[0]
    log(f"cluster of {len(hosts)} host(s): "
        f"{', '.join(f'{h} ({addresses[h]})' for h in hosts)}; this is {current}")
    coordinator: Master | Member
    if current == master:
        must_finish = hosts if finish is Finish.EVERY_HOST else (master,)
        coordinator = Master(current, addresses[current], settings.coordinator_port,
                             hosts[1:], must_finish)
    else:
        coordinator = Member(current, master, addresses[master], settings.coordinator_port)
    try:
        if isinstance(coordinator, Master):
            coordinator.gather(deadline)
        else:
            coordinator.join(deadline)
    except BaseException:
        coordinator.close()
        raise
    return Cluster(hosts, current, addresses, settings.master_addr or addresses[master],
                   coordinator)


def supervise(process: subprocess.Popen[bytes], cluster: Cluster,
              result_of: Callable[[int], Outcome]) -> Outcome:
    """Until the job's outcome is known: reports this host's result (``result_of`` its
    launcher's exit code) when the launcher ends, and returns the outcome the coordinator
    decides (the launcher may still run: the caller stops it)."""
    reported = False
    while True:
        outcome = cluster.coordinator.wait(POLL_SECONDS)
        if outcome is not None:
            return outcome
        code = process.poll()
        if code is not None and not reported:
            cluster.coordinator.report(result_of(code))
            reported = True

"""resourceconfig.json: the hosts of the job, this host's place among them, instance groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config_files import read_json_object, require
from .errors import ContractError
from .paths import Paths

FILE_NAME = "resourceconfig.json"
HOMOGENEOUS_GROUP = "homogeneousCluster"
LOCAL_HOST = "algo-1"


@dataclass(frozen=True)
class InstanceGroup:
    name: str
    instance_type: str | None
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class ResourceConfig:
    """Which host this is, and the cluster around it."""

    current_host: str
    hosts: tuple[str, ...]
    current_group_name: str = HOMOGENEOUS_GROUP
    current_instance_type: str = "local"
    network_interface_name: str = "eth0"
    instance_groups: tuple[InstanceGroup, ...] = ()
    #: The file's content as read (an empty dict when there was no file).
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def host_count(self) -> int:
        return len(self.hosts)

    @property
    def rank(self) -> int:
        """This host's position in ``hosts`` (SageMaker sorts them); 0 on the master."""
        return self.hosts.index(self.current_host)

    @property
    def master_host(self) -> str:
        return self.hosts[0]

    @property
    def is_master(self) -> bool:
        return self.current_host == self.master_host

    @property
    def is_distributed(self) -> bool:
        return len(self.hosts) > 1

    def group_hosts(self, name: str) -> tuple[str, ...]:
        """The hosts of instance group ``name``, in SageMaker's order (that of ``hosts``)."""
        for group in self.instance_groups:
            if group.name == name:
                return tuple(h for h in self.hosts if h in group.hosts)
        if name == HOMOGENEOUS_GROUP and not self.instance_groups:
            return self.hosts
        known = ", ".join(g.name for g in self.instance_groups) or "none"
        raise ContractError(FILE_NAME, f"no instance group named {name!r} (groups: {known})",
                            "instance_groups")

    @property
    def current_group(self) -> InstanceGroup | None:
        for group in self.instance_groups:
            if group.name == self.current_group_name:
                return group
        return None


def local_resource_config() -> ResourceConfig:
    """What a run outside SageMaker looks like: one host."""
    return ResourceConfig(current_host=LOCAL_HOST, hosts=(LOCAL_HOST,))


def read_resource_config(paths: Paths) -> ResourceConfig:
    """resourceconfig.json as a ResourceConfig; no file means one local host."""
    data = read_json_object(paths.resource_config_file, default=None)
    if data is None:
        return local_resource_config()
    current_host = require(data, "current_host", str, FILE_NAME)
    hosts = require(data, "hosts", list, FILE_NAME)
    if not hosts or not all(isinstance(h, str) and h for h in hosts):
        raise ContractError(FILE_NAME, f"expected a non-empty list of host names, got {hosts!r}",
                            "hosts")
    if current_host not in hosts:
        raise ContractError(FILE_NAME, f"{current_host!r} is not one of hosts {hosts!r}",
                            "current_host")
    groups = tuple(_read_group(g, i) for i, g in
                   enumerate(require(data, "instance_groups", list, FILE_NAME, default=[])))
    return ResourceConfig(
        current_host=current_host,
        hosts=tuple(hosts),
        current_group_name=require(data, "current_group_name", str, FILE_NAME,
                                   default=HOMOGENEOUS_GROUP),
        current_instance_type=require(data, "current_instance_type", str, FILE_NAME,
                                      default="local"),
        network_interface_name=require(data, "network_interface_name", str, FILE_NAME,
                                       default="eth0"),
        instance_groups=groups,
        raw=data,
    )


def _read_group(entry: Any, index: int) -> InstanceGroup:
    where = f"instance_groups[{index}]"
    if not isinstance(entry, dict):
        raise ContractError(FILE_NAME, f"expected an object, got {type(entry).__name__}", where)
    hosts = require(entry, "hosts", list, FILE_NAME, f"{where}.hosts")
    return InstanceGroup(
        name=require(entry, "instance_group_name", str, FILE_NAME,
                     f"{where}.instance_group_name"),
        instance_type=require(entry, "instance_type", str, FILE_NAME, f"{where}.instance_type",
                              default=None),
        hosts=tuple(hosts),
    )

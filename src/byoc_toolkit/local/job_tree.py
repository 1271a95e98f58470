"""The /opt/ml tree SageMaker would write for a training job, one per host, on local disk."""

from __future__ import annotations

import ipaddress
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contract import InputMode, Paths
from ..contract.resources import HOMOGENEOUS_GROUP
from ..errors import InputError
from ..training.cluster.hosts import format_hosts_file

#: The local cluster's hosts get 127.0.0.2, 127.0.0.3, ... (127.0.0.1 stays the machine's).
FIRST_HOST_ADDRESS = ipaddress.IPv4Address("127.0.0.2")
#: The hosts' network interface, as resourceconfig.json names it: all of them are on loopback.
LOOPBACK_INTERFACE = "lo"


@dataclass(frozen=True)
class LocalJob:
    """A local training job: one /opt/ml root per host under ``directory``, and each host's
    own loopback address."""

    directory: Path
    hosts: tuple[str, ...]

    @property
    def addresses(self) -> dict[str, str]:
        return {host: str(FIRST_HOST_ADDRESS + i) for i, host in enumerate(self.hosts)}

    @property
    def hosts_file(self) -> Path:
        """The names of the hosts and their addresses, in /etc/hosts' format."""
        return self.directory / "hosts"

    def host_dir(self, host: str) -> Path:
        return self.directory / host

    def root(self, host: str) -> Path:
        return self.host_dir(host) / "opt_ml"

    def paths(self, host: str) -> Paths:
        return Paths(self.root(host))


def write_job_tree(directory: Path, hyperparameters: Mapping[str, str],
                   channels: Mapping[str, Path], host_count: int) -> LocalJob:
    """Write each host's /opt/ml as SageMaker does: the config files (every hyperparameter a
    string, File-mode channels, hosts algo-1..N) and a copy of each channel's files, so that
    the tree works as it stands, also as ``docker run -v TREE:/opt/ml IMAGE train`` (a
    symlink to the data would point nowhere inside a container); and the hosts file that
    maps the hosts' names."""
    for name, source in channels.items():
        if not source.is_dir():
            raise InputError(f"channel {name}: {source} is not a directory")
    hosts = tuple(f"algo-{i}" for i in range(1, host_count + 1))
    job = LocalJob(directory, hosts)
    input_data_config = {name: channel_config() for name in channels}
    for host in hosts:
        paths = job.paths(host)
        paths.input_config_dir.mkdir(parents=True)
        write_json(paths.hyperparameters_file, dict(hyperparameters))
        write_json(paths.input_data_config_file, input_data_config)
        write_json(paths.resource_config_file,
                   resource_config(host, hosts, interface=LOOPBACK_INTERFACE))
        paths.input_data_dir.mkdir(parents=True)
        for name, source in channels.items():
            shutil.copytree(source, paths.channel_dir(name))
        for directory in (paths.model_dir, paths.output_data_dir):
            directory.mkdir(parents=True)
    job.hosts_file.write_text(format_hosts_file(job.addresses))
    return job


def channel_config(mode: InputMode = InputMode.FILE,
                   content_type: str | None = None) -> dict[str, str]:
    """A channel's entry in inputdataconfig.json, as SageMaker writes it."""
    entry = {"TrainingInputMode": mode.value, "S3DistributionType": "FullyReplicated",
             "RecordWrapperType": "None"}
    if content_type is not None:
        entry["ContentType"] = content_type
    return entry


def resource_config(host: str, hosts: Sequence[str],
                    interface: str = "eth0") -> dict[str, Any]:
    """resourceconfig.json for ``host`` in a homogeneous cluster of ``hosts`` whose network
    interface is ``interface`` (SageMaker's is eth0)."""
    return {"current_host": host, "hosts": list(hosts),
            "current_group_name": HOMOGENEOUS_GROUP, "current_instance_type": "local",
            "instance_groups": [{"instance_group_name": HOMOGENEOUS_GROUP,
                                 "instance_type": "local", "hosts": list(hosts)}],
            "network_interface_name": interface}


def write_json(path: Path, content: object) -> None:
    """One of the config files, as readable JSON."""
    path.write_text(json.dumps(content, indent=2) + "\n")

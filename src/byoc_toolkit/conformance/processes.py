"""A running container's processes as the host sees them: PID 1's command and whether it
handles SIGTERM, and the TCP ports the processes listen on.

Read from the host's /proc, so only with a local engine and enough rights (root); where it
cannot be read, the answers are None and the checks rely on what they measure over HTTP.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..container import docker

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
#: /proc/PID/status SigCgt: bit n-1 is set when signal n has a handler.
_SIGTERM_BIT = 1 << (signal.SIGTERM - 1)
_LISTEN = "0A"


@dataclass(frozen=True)
class Pid1:
    """The container's first process and its children."""

    command: str
    children: tuple[str, ...]
    #: None when /proc could not be read.
    handles_sigterm: bool | None

    @property
    def is_shell(self) -> bool:
        program = self.command.split(None, 1)[0] if self.command else ""
        return PurePosixPath(program).name in SHELLS


def pid1(container: str) -> Pid1 | None:
    """PID 1 of ``container``; None when it has stopped."""
    host_pid = _host_pid(container)
    if host_pid is None:
        return None
    rows = docker.processes(container)
    command = next((args for pid, _, args in rows if pid == host_pid), None)
    if command is None:
        return None
    children = tuple(args for _, parent, args in rows if parent == host_pid)
    return Pid1(command, children, _handles_sigterm(host_pid))


def listening_ports(container: str) -> set[int] | None:
    """The TCP ports ``container``'s processes listen on; None when that cannot be read."""
    try:
        host_pid = _host_pid(container)
        if host_pid is None:
            return None
        pids = [pid for pid, _, _ in docker.processes(container)]
        sockets = set()
        for pid in pids:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    sockets.add(target[len("socket:["):-1])
        ports = set()
        for table in ("tcp", "tcp6"):
            # PID 1's view: the container's own network namespace.
            for line in Path(f"/proc/{host_pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == _LISTEN and fields[9] in sockets:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        return ports
    except (OSError, docker.DockerError):
        return None


def _host_pid(container: str) -> int | None:
    pid = docker.inspect(container, "container").get("State", {}).get("Pid") or 0
    return int(pid) or None


def _handles_sigterm(host_pid: int) -> bool | None:
    try:
        status = Path(f"/proc/{host_pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & _SIGTERM_BIT)
    return None

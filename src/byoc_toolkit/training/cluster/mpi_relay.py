"""Open MPI without SSH. mpirun starts its daemon (orted) on each host through a remote-shell
command (MCA ``plm_rsh_agent``): byoc's is this module, run by mpirun as ``AGENT HOST
COMMAND...`` like ssh. The agent hands the command line to the master's byoc (a Unix socket),
which has that host's byoc run it (over the coordinator) and answers with its exit code; the
agent exits with that code, as ssh would. A command for the master itself runs in the agent.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path
from types import TracebackType

from ...errors import log
from .coordinator import Connection, Master
from .formation import Cluster

#: The master's relay socket, for the agents mpirun starts.
RELAY_SOCKET_ENV = "BYOC_MPI_RELAY"
#: The agent's exit code when it cannot relay (ssh's for a connection that failed).
RELAY_FAILED = 255


def agent_command() -> str:
    """The agent as mpirun's ``plm_rsh_agent`` (a command line mpirun splits on spaces)."""
    return f"{sys.executable} -m {__name__}"


class Relay:
    """On the master: answers the agents mpirun starts while the job runs."""

    def __init__(self, path: Path, cluster: Cluster, master: Master) -> None:
        self.path = path
        self._cluster = cluster
        self._master = master
        #: Whether a command went to another host (an orted runs there).
        self.relayed = False
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen()
        threading.Thread(target=self._serve, daemon=True, name="byoc-mpi-relay").start()

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._answer, args=(Connection(sock),), daemon=True,
                             name="byoc-mpi-relay-agent").start()

    def _answer(self, agent: Connection) -> None:
        try:
            request = agent.receive() or {}
            target, command = str(request.get("host")), str(request.get("command"))
            host = self._host_named(target)
            if host is None:
                agent.send({"error": f"mpirun asked for host {target!r}, which is not one of "
                                     f"the cluster's: {', '.join(self._cluster.hosts)}"})
            elif host == self._cluster.master:
                agent.send({"local": True})
            else:
                self.relayed = True
                code = self._master.run_on(host, command)
                if code is not None:  # else the job has ended: the agent is stopped with mpirun
                    agent.send({"exited": code})
        except OSError:
            pass  # the agent is gone: mpirun is stopping
        finally:
            agent.close()

    def _host_named(self, target: str) -> str | None:
        """The cluster's host that mpirun names ``target`` (byoc gives it addresses)."""
        if target in self._cluster.hosts:
            return target
        return next((h for h, a in self._cluster.addresses.items() if a == target), None)

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.close()


def main() -> None:
    """The agent: ``python -m byoc_toolkit.training.cluster.mpi_relay HOST COMMAND...``."""
    if len(sys.argv) < 3:
        log(f"usage: {agent_command()} HOST COMMAND... (Open MPI's plm_rsh_agent)")
        sys.exit(RELAY_FAILED)
    target, command = sys.argv[1], " ".join(sys.argv[2:])  # one shell line, as ssh sends it
    path = os.environ.get(RELAY_SOCKET_ENV)
    if not path:
        log(f"{RELAY_SOCKET_ENV} is not set: only byoc's mpirun can start this agent")
        sys.exit(RELAY_FAILED)
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
        master = Connection(sock)
        master.send({"host": target, "command": command})
        reply = master.receive()
    except OSError as exc:
        log(f"cannot reach byoc's relay at {path} for {target}: {exc}")
        sys.exit(RELAY_FAILED)
    if reply is None:
        sys.exit(RELAY_FAILED)  # the job ended before the command did
    if reply.get("local"):
        os.execv("/bin/sh", ["/bin/sh", "-c", command])
    if "error" in reply:
        log(str(reply["error"]))
        sys.exit(RELAY_FAILED)
    code = reply.get("exited")
    sys.exit(code if isinstance(code, int) else RELAY_FAILED)


if __name__ == "__main__":
    main()

"""byoc's coordinator, on the master: before any launcher starts, every host checks in (so a
host that never comes up is named within the timeout); afterwards each host reports how its
part ended, and the master tells every host the job's outcome, the first failure or success
once every host that must finish has finished, so that all hosts end the same way. In
between, the master can have a member run a command line (how mpirun starts its daemon on
each host without ssh) and learn how it exited.

Messages are JSON objects, one a line: a member sends ``{"join": HOST}`` then
``{"result": OUTCOME}``; the master answers ``{"start": true}`` (or an outcome when the
cluster does not form) and finally ``{"outcome": OUTCOME}``. In between, the master may send
``{"run": COMMAND}``, which the member answers with ``{"exited": CODE}``.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from typing import Any, Protocol

from ...errors import log
from .outcome import SUCCESS, ClusterError, Outcome
from .settings import Deadline

#: How much longer than its own deadline a member waits for the master's word to start, so
#: that the master's message naming a missing host arrives before the member gives up.
START_GRACE = 30.0
#: How often a wait (for a launcher's process, a command, its exit) checks whether the job's
#: outcome is decided.
POLL_SECONDS = 0.2


class Coordinator(Protocol):
    """What a launcher needs: report this host's result, learn the job's outcome."""

    def report(self, result: Outcome) -> None: ...

    def wait(self, timeout: float) -> Outcome | None: ...

    def close(self) -> None: ...


class Connection:
    """A line-delimited JSON channel: between a host and the master, or between mpirun's
    remote-shell agent and the master's byoc (mpi_relay)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._reader = sock.makefile("rb")
        self._send_lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message) + "\n").encode()
        with self._send_lock:
            self.sock.sendall(data)

    def receive(self) -> dict[str, Any] | None:
        """The next message; None at the end of the stream. Raises OSError (and
        TimeoutError) as the socket does."""
        try:
            line = self._reader.readline()
        except ValueError:  # closed on this side, while a listener was reading
            return None
        if not line:
            return None
        try:
            message = json.loads(line)
        except ValueError:
            return {"unreadable": line[:200].decode(errors="replace")}
        return message if isinstance(message, dict) else {"unreadable": repr(message)}

    def messages(self) -> Iterator[dict[str, Any]]:
        """The messages until the stream ends or breaks."""
        while True:
            try:
                message = self.receive()
            except OSError:
                return
            if message is None:
                return
            yield message

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._reader.close()
        self.sock.close()


class _Verdict:
    """The job's outcome, decided once."""

    def __init__(self) -> None:
        self._decided = threading.Event()
        self._outcome: Outcome | None = None
        self._lock = threading.Lock()

    def decide(self, outcome: Outcome) -> bool:
        with self._lock:
            if self._outcome is not None:
                return False
            self._outcome = outcome
        self._decided.set()
        return True

    def wait(self, timeout: float) -> Outcome | None:
        self._decided.wait(timeout)
        return self._outcome


class Master:
    """The coordinator on the master host: listens on ``address:port``."""

    def __init__(self, host: str, address: str, port: int, members: Sequence[str],
                 must_finish: Collection[str]) -> None:
        self.host = host
        self._members = tuple(members)
        self._must_finish = frozenset(must_finish)
        self._connections: dict[str, Connection] = {}
        self._finished: set[str] = set()
        self._verdict = _Verdict()
        #: The exit code of the command each member was asked to run, once it has exited.
        self._exits: dict[str, queue.Queue[int]] = {h: queue.Queue() for h in self._members}
        self._lock = threading.Lock()
        try:
            self._server = socket.create_server((address, port))
        except OSError as exc:
            raise ClusterError(f"the master {host} cannot listen on {address}:{port} for the "
                               f"other hosts: {exc}") from None

    def gather(self, deadline: Deadline) -> None:
        """Until every member has checked in; a ClusterError naming the missing hosts (also
        sent to those that came) when ``deadline`` passes first."""
        while len(self._connections) < len(self._members) and not deadline.expired():
            self._server.settimeout(max(deadline.remaining(), 0.01))
            try:
                sock, _ = self._server.accept()
            except TimeoutError:
                break
            self._admit(sock, deadline)
        missing = [h for h in self._members if h not in self._connections]
        if missing:
            joined = ", ".join([self.host, *self._connections]) or "none"
            failure = Outcome.failed(
                f"the cluster did not form: {', '.join(missing)} did not reach the master "
                f"{self.host} within {deadline.seconds:g} s (checked in: {joined})")
            self._decide(failure)
            failure.raise_if_failed()

    def _admit(self, sock: socket.socket, deadline: Deadline) -> None:
        connection = Connection(sock)
        sock.settimeout(max(min(deadline.remaining(), 10.0), 1.0))
        try:
            message = connection.receive()
        except OSError:
            message = None
        host = message.get("join") if message else None
        if host not in self._members:
            log(f"coordinator: ignoring a connection that did not join as one of "
                f"{list(self._members)}: {message!r}")
            connection.close()
            return
        sock.settimeout(None)
        previous = self._connections.pop(host, None)
        if previous is not None:
            previous.close()
        self._connections[host] = connection

    def start(self) -> None:
        """Tell every member to start its launcher; from now on, listen for their results."""
        for host, connection in self._connections.items():
            try:
                connection.send({"start": True})
            except OSError:
                self.report_for(host, self._lost(host))
                continue
            threading.Thread(target=self._listen, args=(host, connection), daemon=True,
                             name=f"byoc-coordinator-{host}").start()

    def _listen(self, host: str, connection: Connection) -> None:
        for message in connection.messages():
            if "exited" in message:
                code = message["exited"]
                self._exits[host].put(code if isinstance(code, int) else 1)
            elif "result" in message:
                self.report_for(host, Outcome.from_json(message["result"]))
                return
        self.report_for(host, self._lost(host))

    def run_on(self, host: str, command: str) -> int | None:
        """Have member ``host`` run the shell command line ``command``; its exit code once it
        has exited, or None when the job's outcome is decided first."""
        try:
            self._connections[host].send({"run": command})
        except OSError:
            return None  # the listener sees the broken connection and decides
        while self._verdict.wait(0) is None:
            try:
                return self._exits[host].get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
        return None

    def _lost(self, host: str) -> Outcome:
        return Outcome.failed(f"host {host} left the cluster before it reported a result "
                              f"(its byoc process ended, or the network between {host} and "
                              f"{self.host} broke)")

    def report(self, result: Outcome) -> None:
        """The master's own result."""
        self.report_for(self.host, result)

    def report_for(self, host: str, result: Outcome) -> None:
        if not result.ok:
            self._decide(result)
            return
        with self._lock:
            self._finished.add(host)
            done = self._must_finish <= self._finished
        if done:
            self._decide(SUCCESS)

    def _decide(self, outcome: Outcome) -> None:
        if not self._verdict.decide(outcome):
            return
        for connection in list(self._connections.values()):
            try:
                connection.send({"outcome": outcome.to_json()})
            except OSError:
                pass

    def wait(self, timeout: float) -> Outcome | None:
        return self._verdict.wait(timeout)

    def close(self) -> None:
        self._server.close()
        for connection in self._connections.values():
            connection.close()


class Member:
    """The coordinator's client on every other host."""

    def __init__(self, host: str, master: str, address: str, port: int) -> None:
        self.host = host
        self.master = master
        self._where = f"{address}:{port}"
        self._address = (address, port)
        self._verdict = _Verdict()
        self._connection: Connection | None = None
        self._commands: queue.Queue[str] = queue.Queue()

    def join(self, deadline: Deadline) -> None:
        """Check in with the master and wait for its word to start; a ClusterError naming
        the master when it cannot be reached in time, or the master's reason when the
        cluster does not form."""
        connection = self._connect(deadline)
        self._connection = connection
        connection.sock.settimeout(deadline.remaining() + START_GRACE)
        try:
            connection.send({"join": self.host})
            message = connection.receive()
        except OSError as exc:
            raise ClusterError(f"the master {self.master} ({self._where}) did not tell "
                               f"{self.host} to start within {deadline.seconds:g} s: "
                               f"{exc}") from None
        if message is None:
            raise ClusterError(f"the master {self.master} ({self._where}) closed the "
                               f"connection before the training started")
        if "outcome" in message:
            Outcome.from_json(message["outcome"]).raise_if_failed()
        connection.sock.settimeout(None)
        threading.Thread(target=self._listen, args=(connection,), daemon=True,
                         name="byoc-coordinator").start()

    def _connect(self, deadline: Deadline) -> Connection:
        while True:
            try:
                return Connection(socket.create_connection(self._address, timeout=5.0))
            except OSError as exc:
                if deadline.expired():
                    raise ClusterError(
                        f"the master {self.master} ({self._where}) did not accept connections "
                        f"from {self.host} within {deadline.seconds:g} s: {exc}") from None
            time.sleep(min(0.2, deadline.remaining()))

    def _listen(self, connection: Connection) -> None:
        for message in connection.messages():
            if "run" in message:
                self._commands.put(str(message["run"]))
            elif "outcome" in message:
                self._verdict.decide(Outcome.from_json(message["outcome"]))
                return
        self._verdict.decide(Outcome.failed(
            f"lost the connection to the master {self.master} ({self._where}) before it "
            f"reported the job's outcome"))

    def next_command(self) -> str | Outcome:
        """The next command line the master wants run here, or the job's outcome when it is
        decided first."""
        while True:
            outcome = self._verdict.wait(0)
            if outcome is not None:
                return outcome
            try:
                return self._commands.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue

    def report_exit(self, code: int) -> None:
        """How the command from ``next_command`` exited."""
        self._send({"exited": code})

    def report(self, result: Outcome) -> None:
        self._send({"result": result.to_json()})

    def _send(self, message: dict[str, Any]) -> None:
        if self._connection is None:
            return
        try:
            self._connection.send(message)
        except OSError:
            pass  # the listener sees the broken connection and decides

    def wait(self, timeout: float) -> Outcome | None:
        return self._verdict.wait(timeout)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()

"""The control channel between ``byoc serve`` and the serving processes it runs: one JSON
message per datagram of a Unix SOCK_SEQPACKET socket (a socket pair made at spawn), with file
descriptors passed along (SCM_RIGHTS). Connectors speak a smaller protocol (connector.py)."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from typing import Any, Union

#: Largest message; the biggest is a load failure with its traceback, cut to fit.
MAX_MESSAGE_BYTES = 1 << 16
MAX_FDS = 4
#: The control descriptor a serving process inherits from byoc serve.
CONTROL_FD_ENV = "BYOC_CONTROL_FD"


@dataclass(frozen=True)
class Hello:
    """Serving process -> byoc serve: the program is imported."""

    pid: int
    per_worker: bool


@dataclass(frozen=True)
class Loaded:
    """Serving process -> byoc serve: the model is loaded."""

    seconds: float


@dataclass(frozen=True)
class Failed:
    """Serving process -> byoc serve: the model did not load. ``status`` is what the load
    request gets (multi-model), ``message`` one line, ``details`` the traceback."""

    status: int
    message: str
    details: str


@dataclass(frozen=True)
class Acknowledged:
    """byoc serve -> serving process: a failure is recorded; answer the front end now."""


@dataclass(frozen=True)
class Listen:
    """byoc serve -> serving process: accept multi-model-server's connections on the
    listening socket passed along."""


@dataclass(frozen=True)
class Spawn:
    """byoc serve -> serving process: load ``model`` from ``path``. ``index`` is the worker
    index of a per-worker model (of ``count`` workers, on a machine with ``gpus`` GPUs); None
    means one process that forks the workers. ``refusal``: a reason not to load it at all.
    Sent to the multi-model template, it forks a process for the model, which talks to
    byoc serve over the channel passed along."""

    model: str
    path: str
    index: int | None
    count: int
    gpus: int
    refusal: str | None = None


Message = Union[Hello, Loaded, Failed, Acknowledged, Listen, Spawn]
_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in (
    Hello, Loaded, Failed, Acknowledged, Listen, Spawn)}


class ChannelClosed(ConnectionError):
    """The process at the other end exited (or closed its end)."""


class Channel:
    """One end of a control connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.socket = sock

    @classmethod
    def pair(cls) -> tuple[Channel, Channel]:
        first, second = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        return cls(first), cls(second)

    @classmethod
    def inherited(cls) -> Channel:
        """The channel whose descriptor byoc serve passed in CONTROL_FD_ENV."""
        return cls(socket.socket(fileno=int(os.environ[CONTROL_FD_ENV])))

    def fileno(self) -> int:
        return self.socket.fileno()

    def send(self, message: Message, fds: tuple[int, ...] = ()) -> None:
        data = json.dumps({"type": type(message).__name__, **asdict(message)}).encode()
        if len(data) > MAX_MESSAGE_BYTES:
            raise ValueError(f"control message of {len(data)} bytes is too long")
        try:
            socket.send_fds(self.socket, [data], list(fds))
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise ChannelClosed(str(exc)) from None

    def receive(self) -> tuple[Message, list[int]]:
        """The next message and the descriptors that came with it; ChannelClosed at the end."""
        try:
            data, fds, _, _ = socket.recv_fds(self.socket, MAX_MESSAGE_BYTES, MAX_FDS)
        except ConnectionResetError as exc:
            raise ChannelClosed(str(exc)) from None
        if not data:
            raise ChannelClosed("the other end closed the channel")
        values = json.loads(data)
        return _TYPES[values.pop("type")](**values), fds

    def close(self) -> None:
        self.socket.close()


def listening_socket(path: str) -> socket.socket:
    """A Unix stream socket listening at ``path`` (replacing a stale file)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock.bind(path)
    sock.listen(128)
    return sock

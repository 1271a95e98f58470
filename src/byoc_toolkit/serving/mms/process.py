"""The Python processes that serve, started by ``byoc serve`` (launcher.py) before the front end:

- a **model process** imports the program, loads one model and answers multi-model-server's
  connections on the listening socket ``byoc serve`` passes it: it forks a worker per
  connection (the workers share its memory), or, for a ``@model_fn(per_worker=True)``, it is
  one of the workers itself and serves one connection at a time, never forking;
- the **template** (multi-model endpoints) imports the program once and forks a model process
  for each model ``byoc serve`` asks for, so that a model costs its own memory, not another
  interpreter.

Each talks to ``byoc serve`` over its control channel (control.py): Hello once the program is
imported, then Loaded or Failed. It exits when that channel closes (``byoc serve`` is gone).

    python -m byoc_toolkit.serving.mms.process model|template
"""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import NoReturn

from ...program import load_program
from ...registry import Registry
from .. import logs
from ..inference import InferenceApp
from ..settings import ServingSettings
from ..workers import WorkerInfo
from .control import Acknowledged, Channel, ChannelClosed, Failed, Hello, Listen, Loaded, Spawn
from .libc import die_with_parent
from .worker import LoadFailure, Served, serve_connection

#: Where multi-model-server keeps its worker files (java.io.tmpdir), set by byoc serve.
FRONTEND_TMP_ENV = "BYOC_FRONTEND_TMP"
logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    role = (sys.argv if argv is None else argv)[1]
    own_process_group()
    die_with_parent()  # byoc serve; processes the template forks watch their channel instead
    settings = ServingSettings.from_env()
    logs.configure(settings)
    channel = Channel.inherited()
    program = load_program(None)
    per_worker = program.model_loader is not None and program.model_loader.per_worker
    # Objects imported so far stay out of the collector's reach, so forked children keep
    # sharing their memory pages instead of copying them on the first collection.
    gc.freeze()
    channel.send(Hello(os.getpid(), per_worker))
    if role == "template":
        Template(program, channel, settings).run()
    spawn, _ = channel.receive()
    assert isinstance(spawn, Spawn)
    ModelProcess(program, channel, settings, spawn).run()


class ModelProcess:
    """One model: loads it (or records why not), then serves the front end's connections."""

    def __init__(self, program: Registry, channel: Channel, settings: ServingSettings,
                 spawn: Spawn) -> None:
        self.program = program
        self.channel = channel
        self.settings = settings
        self.spawn = spawn
        self.worker = (None if spawn.index is None else
                       WorkerInfo.assign(spawn.index, spawn.count, spawn.gpus))
        self.tmp_dir = Path(os.environ[FRONTEND_TMP_ENV])

    def run(self) -> NoReturn:
        app = self._load()
        message, fds = self._receive()
        assert isinstance(message, Listen)
        listener = socket.socket(fileno=fds[0])
        listener.setblocking(False)  # per-worker processes share it: another may win a race
        gc.freeze()
        if self.worker is not None:
            while True:
                serve_connection(self._accept(listener), app, self.settings, self.tmp_dir)
        signal.signal(signal.SIGCHLD, _reap_children)
        while True:
            connection = self._accept(listener)
            if os.fork() == 0:
                listener.close()
                self.channel.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                die_with_parent(signal.SIGKILL)
                serve_connection(connection, app, self.settings, self.tmp_dir)
                _flush_and_exit(0)
            connection.close()

    def _load(self) -> Served:
        if self.spawn.refusal is not None:
            return self._failed(400, self.spawn.refusal, "")
        if self.worker is not None:
            os.environ.update(self.worker.environment())
        started = time.monotonic()
        try:
            app = InferenceApp.setup(self.program, Path(self.spawn.path), self.settings,
                                     self.worker)
        except BaseException as exc:  # noqa: BLE001 - whatever it is, byoc serve must know
            message = f"model {self.spawn.model!r} failed to load: {type(exc).__name__}: {exc}"
            return self._failed(507 if isinstance(exc, MemoryError) else 500, message,
                                traceback.format_exc())
        self.channel.send(Loaded(time.monotonic() - started))
        return app

    def _failed(self, status: int, message: str, details: str) -> LoadFailure:
        # byoc serve records the reason (the front end's answer to the load request carries
        # it) before this process answers the front end.
        self.channel.send(Failed(status, message, details[-32_000:]))
        reply, _ = self._receive()
        assert isinstance(reply, Acknowledged)
        return LoadFailure(status, message)

    def _receive(self) -> tuple[object, list[int]]:
        try:
            return self.channel.receive()
        except ChannelClosed:
            _flush_and_exit(1)

    def _accept(self, listener: socket.socket) -> socket.socket:
        """The next connection; exits once byoc serve's end of the channel closes."""
        while True:
            ready, _, _ = select.select([listener, self.channel.socket], [], [])
            if self.channel.socket in ready:
                self._receive()  # nothing more is sent after Listen: this is the end
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                continue
            connection.setblocking(True)
            return connection


class Template:
    """Multi-model endpoints: forks a model process for each Spawn from byoc serve."""

    def __init__(self, program: Registry, channel: Channel, settings: ServingSettings):
        self.program = program
        self.channel = channel
        self.settings = settings

    def run(self) -> NoReturn:
        # What the models' processes would otherwise each import for themselves: joblib (the
        # default loader) and pandas (DataFrames, large CSV bodies). The program itself, and
        # what it imports, is here already: import at its top what loading the model needs.
        import joblib  # noqa: F401
        import pandas  # noqa: F401

        gc.freeze()
        signal.signal(signal.SIGCHLD, _reap_children)
        while True:
            try:
                spawn, fds = self.channel.receive()
            except ChannelClosed:
                _flush_and_exit(0)
            assert isinstance(spawn, Spawn)
            if os.fork() == 0:
                self.channel.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                channel = Channel(socket.socket(fileno=fds[0]))
                channel.send(Hello(os.getpid(), spawn.index is not None))
                ModelProcess(self.program, channel, self.settings, spawn).run()
            os.close(fds[0])


def own_process_group() -> None:
    """Leave byoc serve's process group (Ctrl-C in a terminal is for byoc serve, which stops
    everything in order), but not its session. Linux schedules each session as one group
    (autogroup), and the front end and the workers hand every request to each other: across
    two groups each handoff waits for the other group's turn. Measured with 1 row at 16
    connections: 0.5-0.65x the throughput with the workers in a session of their own."""
    os.setpgid(0, 0)


def _reap_children(signum: int, frame: object) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _flush_and_exit(code: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()

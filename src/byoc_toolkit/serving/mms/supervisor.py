"""The event loop of ``byoc serve``: the serving processes, the front end, and the connectors
multi-model-server starts, from start-up until stop.

How the pieces meet (each module says more):

- byoc serve starts the serving processes (process.py) first: a single model loads in a
  model process (or, for a per-worker model, in each worker process, in parallel); a
  multi-model endpoint gets the template, which imports the program once.
- The front end (multi-model-server's JVM) starts at the same time. For each model it runs a
  connector (connector.py), which asks byoc serve, over the control socket, to serve the model
  on a Unix socket. For a single model, byoc serve answers only once the model is loaded;
  multi-model-server opens its HTTP port only after that answer, so the port, and /ping,
  never say yes before the model can serve. multi-model-server gives up on a connector after
  about a minute; if the model takes longer, byoc serve stops the front end and starts it
  again once the model is loaded, so any load time is fine up to SAGEMAKER_STARTUP_TIMEOUT.
- byoc serve binds the model's Unix socket itself and passes it to the model's processes,
  which accept multi-model-server's worker connections on it. Because byoc serve keeps it,
  a connection made while a process is being replaced waits for the replacement.
- When a serving process dies, byoc serve loads the model again in a new one (a
  per-worker model's other workers keep serving meanwhile). While a single model has no
  loaded process, GET /ping answers 503 (through the front end's plugin); without the plugin,
  multi-model-server's own /ping would still say 200, so byoc serve exits 1 instead and the
  platform restarts the container.
- On a multi-model endpoint, multi-model-server kills a model's connector to unload it; byoc
  serve then stops the model's processes, so none outlives its model.
"""

from __future__ import annotations

import enum
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ExitCode, log
from ..settings import ServingSettings
from . import connector, multi_model
from .config import SINGLE_MODEL_NAME, RunDir
from .control import (
    CONTROL_FD_ENV,
    Acknowledged,
    Channel,
    ChannelClosed,
    Failed,
    Hello,
    Listen,
    Loaded,
    Message,
    Spawn,
    listening_socket,
)
from .libc import die_with_parent
from .state_file import ServingState

#: multi-model-server waits about a minute for a model's connector at start-up, then opens
#: its port anyway; byoc serve stops it well before (and starts it again after the load).
CONNECTOR_HOLD_SECONDS = 45.0
#: multi-model-server puts a model whose load failed back a moment after unloading it.
FORGET_DELAY_SECONDS = 0.5
STARTING_POLL_SECONDS = 0.02
RUNNING_POLL_SECONDS = 1.0
PROCESS_MODULE = "byoc_toolkit.serving.mms.process"


def _frontend_child() -> None:
    """In the JVM before it starts: its own process group, so that one killpg reaches it and
    the connectors it starts (not a session of its own: see process.own_process_group), and
    death with byoc serve."""
    os.setpgid(0, 0)
    die_with_parent()


class Role(enum.Enum):
    TEMPLATE = "template"
    MODEL = "model"


@dataclass(eq=False)
class ServingProcess:
    """byoc serve's end of one serving process."""

    channel: Channel
    group: ModelGroup | None  # None for the template
    index: int | None  # the worker index of a per-worker model
    pid: int | None = None
    loaded: bool = False
    failure: Failed | None = None
    started: float = field(default_factory=time.monotonic)


@dataclass(eq=False)
class ModelGroup:
    """One model: its processes, and the socket multi-model-server's workers connect to."""

    name: str
    path: str
    #: Unknown until a process has imported the program (single model).
    per_worker: bool | None = None
    processes: list[ServingProcess] = field(default_factory=list)
    #: The connection of the connector multi-model-server started for it.
    connector: socket.socket | None = None
    attach_time: float = 0.0
    socket_path: str | None = None
    listener: socket.socket | None = None
    refusal: str | None = None
    #: A process of it loaded the model once: a failure now is a failed restore.
    was_loaded: bool = False

    @property
    def loaded(self) -> list[ServingProcess]:
        return [p for p in self.processes if p.loaded]


@dataclass(frozen=True)
class Plan:
    """What to serve: one model dir, or (None) a multi-model endpoint under ``models_root``."""

    model_dir: Path | None
    models_root: Path
    workers: int
    gpus: int
    #: The front end's plugin (honest /ping) is present.
    plugin: bool


class Supervisor:
    def __init__(self, settings: ServingSettings, run: RunDir, plan: Plan,
                 frontend_command: list[str], env: dict[str, str]) -> None:
        self.settings = settings
        self.run = run
        self.plan = plan
        self.frontend_command = frontend_command
        self.env = env
        self.selector = selectors.DefaultSelector()
        self.groups: dict[str, ModelGroup] = {}
        self.control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.template: ServingProcess | None = None
        #: Whether the program's @model_fn is per-worker, once the template imported it.
        self.template_per_worker: bool | None = None
        #: Multi-model loads asked for while no template is ready: (group, worker index).
        self.pending_spawns: list[tuple[ModelGroup, int | None]] = []
        self.frontend: subprocess.Popen[bytes] | None = None
        self.frontend_deferred = False
        self.state = ServingState(single_model=plan.model_dir is not None)
        self.ready = False
        self.stop_requested = False
        self.exit_code: ExitCode | None = None
        self.started = time.monotonic()

    # -- running --------------------------------------------------------------------------

    def serve(self) -> ExitCode:
        """Start everything and run until SIGTERM/SIGINT or a failure; the exit code."""
        self._watch_signals()
        self.control.bind(str(self.run.control_socket))
        self.control.listen(64)
        self.selector.register(self.control, selectors.EVENT_READ, self._accept_connector)
        self._write_state()
        if self.plan.model_dir is None:
            self.template = self._start_process(Role.TEMPLATE, None, None)
        else:
            group = ModelGroup(SINGLE_MODEL_NAME, str(self.plan.model_dir))
            self.groups[group.name] = group
            self._start_model_process(group, None)
        self._start_frontend()
        while self.exit_code is None and not self.stop_requested:
            self._step()
        return ExitCode.OK if self.exit_code is None else self.exit_code

    def _step(self) -> None:
        timeout = RUNNING_POLL_SECONDS if self.ready else STARTING_POLL_SECONDS
        for key, _ in self.selector.select(timeout):
            callback: Callable[[], None] = key.data
            callback()
            if self.exit_code is not None or self.stop_requested:
                return
        self._check_deadlines()
        if not self.ready:
            self._check_ready()

    def fail(self, message: str) -> None:
        log(message)
        self.exit_code = ExitCode.FAILED

    def _watch_signals(self) -> None:
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)

        def request_stop(signum: int, frame: object) -> None:
            self.stop_requested = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)

        def woken() -> None:
            while True:
                try:
                    if not os.read(read_end, 512):
                        break
                except BlockingIOError:
                    break
            self.reap()

        self.selector.register(read_end, selectors.EVENT_READ, woken)

    def reap(self) -> None:
        """Collect exited children (as a subreaper, orphaned workers too)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.frontend is not None and pid == self.frontend.pid:
                self.frontend.returncode = os.waitstatus_to_exitcode(status)
                self._frontend_exited(self.frontend.returncode)

    # -- the front end --------------------------------------------------------------------

    def _start_frontend(self) -> None:
        self.frontend = subprocess.Popen(self.frontend_command, env=self.env,
                                         preexec_fn=_frontend_child)
        self.frontend_deferred = False

    def _frontend_exited(self, status: int) -> None:
        if self.frontend_deferred or self.stop_requested:
            return
        self.fail(f"multi-model-server exited with status {status}")

    def _defer_frontend(self, group: ModelGroup) -> None:
        log(f"the model is still loading after {CONNECTOR_HOLD_SECONDS:g} s; stopping "
            "multi-model-server until it is loaded (it would open its port without it)")
        self.frontend_deferred = True
        if self.frontend is not None:
            try:
                os.killpg(self.frontend.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._detach(group)

    def _check_ready(self) -> None:
        if self.plan.model_dir is None:
            loaded = self.template_per_worker is not None
        else:
            group = self.groups[SINGLE_MODEL_NAME]
            loaded = group.listener is not None
        if not loaded or not self._ping_ok():
            return
        self.ready = True
        what = (f"model {self.plan.model_dir}" if self.plan.model_dir else
                f"multi-model root {self.plan.models_root}")
        log(f"ready on port {self.settings.port} in {time.monotonic() - self.started:.2f} s, "
            f"serving {what} with {self.plan.workers} worker(s)")

    def _ping_ok(self) -> bool:
        url = f"http://{self.settings.local_address}:{self.settings.port}/ping"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _check_deadlines(self) -> None:
        now = time.monotonic()
        limit = self.settings.startup_timeout_seconds
        if not self.ready and now - self.started > limit:
            self.fail(f"not ready after {limit:g} s (SAGEMAKER_STARTUP_TIMEOUT); stopping")
            return
        for group in list(self.groups.values()):
            waiting = [p for p in group.processes if not p.loaded and p.failure is None]
            if self.ready and any(now - p.started > limit for p in waiting):
                self._lost(group, f"a new process for model {group.name!r} did not load "
                                  f"within {limit:g} s (SAGEMAKER_STARTUP_TIMEOUT)")
            if (group.connector is not None and group.listener is None
                    and now - group.attach_time > CONNECTOR_HOLD_SECONDS):
                self._defer_frontend(group)

    # -- serving processes ----------------------------------------------------------------

    def _start_process(self, role: Role, group: ModelGroup | None,
                       index: int | None) -> ServingProcess:
        ours, theirs = Channel.pair()
        env = {**self.env, CONTROL_FD_ENV: str(theirs.fileno())}
        subprocess.Popen([sys.executable, "-m", PROCESS_MODULE, role.value], env=env,
                         pass_fds=(theirs.fileno(),))
        theirs.close()
        return self._track(ServingProcess(ours, group, index))

    def _track(self, process: ServingProcess) -> ServingProcess:
        if process.group is not None:
            process.group.processes.append(process)
        self.selector.register(process.channel.socket, selectors.EVENT_READ,
                               lambda: self._from_process(process))
        return process

    def _start_model_process(self, group: ModelGroup, index: int | None) -> None:
        if self.plan.model_dir is not None:
            self._start_process(Role.MODEL, group, index)
        elif self.template is None or self.template.pid is None:
            self.pending_spawns.append((group, index))
        else:
            ours, theirs = Channel.pair()
            try:
                self.template.channel.send(self._spawn(group, index), fds=(theirs.fileno(),))
            except ChannelClosed:
                self.pending_spawns.append((group, index))  # the template is being replaced
                return
            finally:
                theirs.close()
            self._track(ServingProcess(ours, group, index))

    def _spawn(self, group: ModelGroup, index: int | None) -> Spawn:
        return Spawn(group.name, group.path, index, self.plan.workers, self.plan.gpus,
                     group.refusal)

    def _receive(self, channel: Channel) -> Message | None:
        """The next message on ``channel``; None (and the channel closed) when the process at
        the other end is gone."""
        try:
            message, fds = channel.receive()
        except ChannelClosed:
            self.selector.unregister(channel.socket)
            channel.close()
            return None
        for fd in fds:
            os.close(fd)  # nothing byoc serve receives carries descriptors
        return message

    def _from_process(self, process: ServingProcess) -> None:
        message = self._receive(process.channel)
        if message is None:
            self._process_exited(process)
        elif isinstance(message, Hello):
            self._hello(process, message)
        elif isinstance(message, Loaded):
            self._loaded(process, message)
        elif isinstance(message, Failed):
            self._failed(process, message)

    def _hello(self, process: ServingProcess, hello: Hello) -> None:
        process.pid = hello.pid
        if process is self.template:
            self.template_per_worker = hello.per_worker
            self._update_health()
            pending, self.pending_spawns = self.pending_spawns, []
            for waiting, index in pending:
                if waiting.per_worker is None:
                    waiting.per_worker = hello.per_worker
                    for worker in self._indexes(waiting):
                        self._start_model_process(waiting, worker)
                else:
                    self._start_model_process(waiting, index)
            return
        group = process.group
        if group is not None and not self._current(group):
            self._kill(process)  # forked for a model unloaded meanwhile
            return
        if group is None or self.plan.model_dir is None:
            return  # a model process the template forked: it has its Spawn already
        if group.per_worker is None:
            group.per_worker = hello.per_worker
            if hello.per_worker:
                process.index = 0
                for index in range(1, self.plan.workers):
                    self._start_model_process(group, index)
        process.channel.send(self._spawn(group, process.index))

    def _loaded(self, process: ServingProcess, loaded: Loaded) -> None:
        group = process.group
        assert group is not None
        if not self._current(group):
            return  # being killed: the model was unloaded
        process.loaded = True
        group.was_loaded = True
        worker = "" if process.index is None else f" in worker {process.index}"
        log(f"model {group.name!r} loaded{worker} in {loaded.seconds:.2f} s")
        if group.listener is not None:
            process.channel.send(Listen(), fds=(group.listener.fileno(),))
            self._update_health()
        else:
            self._answer_connector(group)

    def _failed(self, process: ServingProcess, failure: Failed) -> None:
        group = process.group
        assert group is not None
        if not self._current(group):
            return  # being killed: the model was unloaded
        process.failure = failure
        if self.plan.model_dir is not None:
            print(failure.details or failure.message, file=sys.stderr, flush=True)
            self.fail("stopping: the model failed to load")
            return
        log(f"{failure.message}\n{failure.details}".rstrip())
        self.state.record_failure(group.name, failure.message)
        self._write_state()
        process.channel.send(Acknowledged())
        if group.was_loaded:
            self._lost(group, failure.message)
        elif group.listener is not None:
            # It answers the front end's load requests with the failure; multi-model-server
            # then fails the POST /models request and unloads the model.
            process.channel.send(Listen(), fds=(group.listener.fileno(),))

    def _process_exited(self, process: ServingProcess) -> None:
        if self.stop_requested or self.exit_code is not None:
            return
        if process is self.template:
            log(f"the multi-model template (pid {process.pid}) exited; starting a new one")
            self.template = self._start_process(Role.TEMPLATE, None, None)
            return
        group = process.group
        assert group is not None
        if process in group.processes:
            group.processes.remove(process)
        if not self._current(group) or process.failure is not None:
            return  # the model was unloaded, or its process only answered a failure
        worker = "" if process.index is None else f" (worker {process.index})"
        log(f"model {group.name!r}: process {process.pid}{worker} exited; loading the model "
            "again in a new process")
        if self.plan.model_dir is not None and not group.loaded and group.listener is not None:
            if not self.plan.plugin:
                self.fail("no worker can answer and multi-model-server's own /ping would "
                          "still say 200 (its plugin is missing): stopping, so that the "
                          "platform restarts the container")
                return
            self._update_health()
        self._start_model_process(group, process.index)

    def _lost(self, group: ModelGroup, reason: str) -> None:
        """A loaded model that cannot be restored: a single model stops the server; on a
        multi-model endpoint the model is unloaded, so that invocations get 404, not a hang."""
        if self.plan.model_dir is not None:
            self.fail(f"stopping: {reason}")
            return
        log(f"unloading model {group.name!r}: {reason}")
        self._remove(group)
        self._forget(group)

    def _update_health(self) -> None:
        """Tell the front end's /ping whether a request can be answered now."""
        unhealthy = None
        if self.plan.model_dir is None:
            # Once the program is imported, loads can be taken (a replaced template only
            # delays them); models already loaded serve on their own.
            if self.template_per_worker is None:
                unhealthy = "starting: importing the program"
        else:
            group = self.groups[SINGLE_MODEL_NAME]
            if group.listener is None:
                unhealthy = "starting: loading the model"
            elif not group.loaded:
                unhealthy = "the model's process exited; it is loading again"
        if unhealthy != self.state.unhealthy:
            self.state.unhealthy = unhealthy
            self._write_state()

    def _write_state(self) -> None:
        self.state.write(self.run.state_file)

    # -- connectors -----------------------------------------------------------------------

    def _accept_connector(self) -> None:
        connection, _ = self.control.accept()
        self.selector.register(connection, selectors.EVENT_READ,
                               lambda: self._from_connector(connection))

    def _from_connector(self, connection: socket.socket) -> None:
        try:
            data = connection.recv(connector.MAX_ARGUMENTS_BYTES)
        except ConnectionResetError:
            data = b""
        if not data:
            self.selector.unregister(connection)
            connection.close()
            self._connector_exited(connection)
            return
        try:
            options = connector.mms_options(connector.decode_arguments(data))
        except ValueError as exc:
            log(f"a connector sent {exc}")
            return
        self._attach(connection, options["--model-name"], options["--model-path"],
                     options["--sock-name"])

    def _attach(self, connection: socket.socket, model: str, path: str,
                socket_path: str) -> None:
        if self.plan.model_dir is not None:
            group = self.groups[SINGLE_MODEL_NAME]
            group.connector, group.socket_path = connection, socket_path
            group.attach_time = time.monotonic()
            self._answer_connector(group)
            return
        old = self.groups.get(model)
        if old is not None:
            self._remove(old)
        group = ModelGroup(model, path, connector=connection, socket_path=socket_path,
                           attach_time=time.monotonic(),
                           refusal=multi_model.refusal(model, path, self.plan.models_root))
        group.listener = listening_socket(socket_path)
        self.groups[group.name] = group
        self.state.load_failures.pop(group.name, None)
        connection.send(connector.ATTACHED)
        if self.template is None or self.template.pid is None:
            self.pending_spawns.append((group, None))  # indexes once the template is ready
            return
        group.per_worker = self.template_per_worker
        for index in self._indexes(group):
            self._start_model_process(group, index)

    def _indexes(self, group: ModelGroup) -> list[int | None]:
        """The worker index of each process the model needs (None: one forking process)."""
        if group.per_worker and group.refusal is None:
            return list(range(self.plan.workers))
        return [None]

    def _answer_connector(self, group: ModelGroup) -> None:
        """A single model: once every process is loaded, hand them the socket and let the
        front end go on (starting it again if it was stopped while the model loaded)."""
        expected = self.plan.workers if group.per_worker else 1
        if group.per_worker is None or len(group.loaded) < expected:
            return
        if group.connector is None:
            if self.frontend_deferred:
                self._start_frontend()
            return
        if group.listener is None:
            assert group.socket_path is not None
            group.listener = listening_socket(group.socket_path)
            for process in group.loaded:
                process.channel.send(Listen(), fds=(group.listener.fileno(),))
        group.connector.send(connector.ATTACHED)
        self._update_health()

    def _connector_exited(self, connection: socket.socket) -> None:
        for group in list(self.groups.values()):
            if group.connector is connection:
                self._detach(group)

    def _detach(self, group: ModelGroup) -> None:
        if self.stop_requested:
            return
        if self.plan.model_dir is None:
            # multi-model-server unloads a model by killing its connector.
            self._remove(group)
            self._forget(group)
            return
        # A single model keeps its processes: its workers are connected directly.
        group.connector = None
        if group.listener is not None:
            log("the model's connector exited; its workers go on serving")

    def _current(self, group: ModelGroup) -> bool:
        return self.groups.get(group.name) is group

    def _remove(self, group: ModelGroup) -> None:
        """Unload a model: its processes are killed (one that has not said hello yet, when it
        does); its workers die with them."""
        if self._current(group):
            del self.groups[group.name]
        for process in group.processes:
            self._kill(process)
        if group.listener is not None:
            group.listener.close()
            group.listener = None
        if group.socket_path is not None:
            Path(group.socket_path).unlink(missing_ok=True)

    def _kill(self, process: ServingProcess) -> None:
        if process.pid is not None:
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _forget(self, group: ModelGroup) -> None:
        """Make sure multi-model-server no longer has this registration of the model, so that
        invocations get 404, not a wait for workers that will not come (a 404 from SageMaker's
        point of view means: load it again).

        multi-model-server has usually done so itself (it unloads a model before killing its
        connector), but after a failed load it puts the model back without workers (its
        unregister is interrupted by its own worker thread), and a connector killed from
        outside leaves the model registered. Only this registration is deleted: not one that
        a newer connector attached, nor one whose workers' ids start with another port than
        the one naming this registration's socket."""
        assert group.socket_path is not None
        port = group.socket_path.rsplit(".", 1)[-1]
        name = urllib.parse.quote(group.name, safe="")
        url = f"http://{self.settings.local_address}:{self.settings.port}/models/{name}"
        timeout = self.settings.timeout_seconds + 10

        def forget() -> None:
            time.sleep(FORGET_DELAY_SECONDS)
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    described = json.load(response)
            except (OSError, ValueError):
                return  # 404: forgotten already
            ports = {str(w.get("id", "")).split("-")[0] for w in described.get("workers", [])}
            if (ports and port not in ports) or self.groups.get(group.name) not in (None, group):
                return
            try:
                urllib.request.urlopen(urllib.request.Request(url, method="DELETE"),
                                       timeout=timeout).close()
            except OSError as exc:
                log(f"could not unload model {group.name!r} from multi-model-server: {exc}")

        # In a thread: multi-model-server's unregister waits for the model's processes.
        threading.Thread(target=forget, daemon=True).start()

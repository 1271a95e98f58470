"""The Python side of multi-model-server, in place of MMS's own model_service_worker.py.

multi-model-server starts ``<python> <mms>/model_service_worker.py --sock-name ...`` for a
model; byoc configures this program as that "python". It loads the model *before* it tells
the frontend it started, so the frontend binds its HTTP port (and /ping answers) only once
the model can serve. It then forks one child per frontend connection (one per MMS worker),
all sharing the loaded model, and serves MMS's binary protocol.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ...contract import Paths
from ...program import load_program
from ..errors import RequestTimedOut, ServingError
from ..inference import InferenceApp
from ..messages import InferenceRequest, InferenceResponse
from ..settings import ServingSettings
from . import protocol
from .deadline import Deadline
from .libc import die_with_parent, release_free_memory
from .startup_status import FAILED, READY, STATUS_DIR_ENV, StartupStatus

MMS_WORKER_SCRIPT = "model_service_worker.py"
LARGE_BODY_BYTES = 1 << 20


@dataclass(frozen=True)
class LoadFailure:
    """A multi-model endpoint's model that did not load: the reply to the frontend."""

    status: int
    message: str
    model_name: str
    reporter: StartupStatus
    details: str

    def response(self) -> InferenceResponse:
        """What a request gets that reaches a model that failed to load."""
        return ServingError(f"model {self.model_name!r} failed to load: {self.message}",
                            status=self.status).to_response()

    def reply(self, connection: socket.socket) -> None:
        connection.sendall(protocol.encode_load_reply(self.status, self.message))
        # Only now: unregistering the model while its /models request is still open
        # would leave that request hanging.
        self.reporter.report(self.model_name, FAILED, self.details)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or Path(argv[1]).name != MMS_WORKER_SCRIPT:
        # MMS runs its other helpers (the metrics collector) with this "python" too.
        os.execv(sys.executable, [sys.executable, *argv[1:]])
    args = _parse_args(argv[2:])
    WorkerServer(args.sock_name, args.model_name, Path(args.model_path), Path(args.tmp_dir)).run()


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="byoc-mms-worker")
    parser.add_argument("--sock-type", choices=["unix"], required=True)
    parser.add_argument("--sock-name", required=True)
    parser.add_argument("--handler")
    parser.add_argument("--model-path", required=True)
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--preload-model")
    parser.add_argument("--tmp-dir", required=True)
    return parser.parse_args(argv)


class WorkerServer:
    """One model's process: loads it, then forks a worker per frontend connection."""

    def __init__(self, sock_name: str, model_name: str, model_path: Path, tmp_dir: Path):
        self.sock_name = sock_name
        self.model_name = model_name
        self.model_path = model_path
        self.tmp_dir = tmp_dir
        self.settings = ServingSettings.from_env()
        status = StartupStatus.from_env()
        if status is None:
            raise SystemExit(f"byoc-mms-worker runs under byoc serve only ({STATUS_DIR_ENV} "
                             "is not set)")
        self.status = status

    def run(self) -> None:
        die_with_parent()  # the JVM
        app = self._load()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(self.sock_name):
            os.remove(self.sock_name)
        listener.bind(self.sock_name)
        listener.listen(128)
        # Objects loaded so far stay out of the collector's reach, so forked children keep
        # sharing their memory pages instead of copying them on the first collection.
        gc.freeze()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGCHLD, _reap_children)
        if not self.settings.multi_model:
            self.status.report(self.model_name, READY)
        print(f"[PID] {os.getpid()}", flush=True)
        print("MMS worker started.", flush=True)
        while True:
            connection, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                _serve_child(connection, app, self.tmp_dir, self.settings)
            connection.close()

    def _load(self) -> InferenceApp | LoadFailure:
        """The loaded model, or (multi-model) why it did not load."""
        started = time.monotonic()
        try:
            self._check_model_path()
            app = InferenceApp.setup(load_program(None), self.model_path, self.settings)
        except BaseException as exc:  # noqa: BLE001 - whatever it is, the launcher must know
            details = f"byoc: model {self.model_name!r} failed to load\n{traceback.format_exc()}"
            if self.settings.multi_model:
                # The frontend logs this; answering its load commands with the error makes
                # it fail the /models request at once, and ``byoc serve`` then unregisters it.
                sys.stderr.write(details)
                sys.stderr.flush()
                status = 507 if isinstance(exc, MemoryError) else 500
                return LoadFailure(status, f"{type(exc).__name__}: {exc}", self.model_name,
                                   self.status, details)
            # ``byoc serve`` prints the traceback: the frontend may be stopped before it logs
            # this process's output. Exiting would let the frontend go on without a model
            # and answer /ping with 200, so wait for ``byoc serve`` to stop everything.
            self.status.report(self.model_name, FAILED, details)
            while True:
                signal.pause()
        elapsed = time.monotonic() - started
        print(f"byoc: model {self.model_name!r} loaded in {elapsed:.2f} s", flush=True)
        return app

    def _check_model_path(self) -> None:
        if not self.settings.multi_model:
            return
        root = Paths.from_env().models_dir.resolve()
        resolved = self.model_path.resolve()
        if resolved != root and root not in resolved.parents:
            raise PermissionError(f"model url {str(self.model_path)!r} is outside the "
                                  f"multi-model root {str(root)!r}")

    def _stop(self, signum: int, frame: object) -> None:
        try:
            os.remove(self.sock_name)
        except OSError:
            pass
        os._exit(0)


def _reap_children(signum: int, frame: object) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _serve_child(connection: socket.socket, app: InferenceApp | LoadFailure,
                 tmp_dir: Path, settings: ServingSettings) -> None:
    """One MMS worker: answer the frontend on ``connection`` until it hangs up."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    stream = io.BufferedReader(socket.SocketIO(connection, "rb"), buffer_size=1 << 16)
    deadline = Deadline(settings.timeout_seconds)
    fifos: list[str] = []
    code = 0
    try:
        while True:
            command = protocol.read_command(stream)
            if command == protocol.PREDICT:
                envelopes = protocol.read_inference(stream)
                connection.sendall(protocol.encode_predict_reply(
                    [(e.request_id, _handle_within(deadline, app, e.request)) for e in envelopes]))
                if sum(len(e.request.body) for e in envelopes) >= LARGE_BODY_BYTES:
                    release_free_memory()
            elif command == protocol.LOAD:
                load = protocol.read_load(stream)
                if isinstance(app, LoadFailure):
                    app.reply(connection)
                    continue
                fifos = _make_log_fifos(tmp_dir, load.io_descriptor)
                connection.sendall(protocol.encode_load_reply(
                    200, f"loaded model {load.model_name}. [PID]:{os.getpid()}"))
                _redirect_output(fifos)
            else:
                raise protocol.FrontendClosed(f"unknown command {command!r}")
    except (protocol.FrontendClosed, BrokenPipeError, ConnectionResetError):
        pass  # the frontend hung up: a scale-down, an unload, its own timeout or shutdown
    except BaseException:  # noqa: BLE001 - report, then let the frontend restart the worker
        traceback.print_exc()
        code = 1
    finally:
        for path in fifos:
            try:
                os.remove(path)
            except OSError:
                pass
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _handle_within(deadline: Deadline, app: InferenceApp | LoadFailure,
                   request: InferenceRequest) -> InferenceResponse:
    if isinstance(app, LoadFailure):
        return app.response()
    try:
        with deadline:
            return app.handle(request)
    except RequestTimedOut as exc:
        return exc.to_response()


def _make_log_fifos(tmp_dir: Path, descriptor: str) -> list[str]:
    # The frontend reads each worker's output from these and labels it with the worker.
    paths = [str(tmp_dir / f"{descriptor}-stdout"), str(tmp_dir / f"{descriptor}-stderr")]
    for path in paths:
        os.mkfifo(path)
    return paths


def _redirect_output(fifos: list[str]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    for path, fd in zip(fifos, (1, 2), strict=True):
        target = os.open(path, os.O_WRONLY)
        os.dup2(target, fd)
        os.close(target)

"""Endpoints for tests: the serving pipeline called in this process, or the real ``byoc
serve`` on a free port. Both take the same requests and give the same Response."""

from __future__ import annotations

import abc
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from ..errors import ByocError
from ..local.invoking import Response, request
from ..model_artifacts import resolve_model_dir
from ..program import load_program
from ..serving.inference import InferenceApp
from ..serving.messages import Headers, InferenceRequest
from ..serving.settings import ServingSettings
from .ports import free_port

#: What a request body may be given as; text is sent as UTF-8.
Body = bytes | bytearray | str
_Opened = TypeVar("_Opened", bound="Endpoint")


class EndpointError(ByocError):
    """The endpoint could not start, or is used before it has."""


class Endpoint(abc.ABC):
    """One model behind ``/invocations``; a context manager that opens and closes it.

    ``program`` is the .py file or module with the @predict_fn (or @model_fn); ``model_dir``
    a model directory or a model.tar.gz, such as ``TrainingResult.model_dir``; ``env`` the
    endpoint's environment as CreateModel's ``Environment`` sets it (SAGEMAKER_* settings).
    """

    def __init__(self, program: str | os.PathLike[str], model_dir: str | os.PathLike[str],
                 *, env: Mapping[str, str] | None = None) -> None:
        self.program = os.fspath(program)
        self.model_dir = Path(model_dir)
        self.env = dict(env or {})

    @abc.abstractmethod
    def open(self) -> None:
        """Load the model; raises what loading raised (in-process) or EndpointError."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the model (stop the server)."""

    @abc.abstractmethod
    def _send(self, body: bytes, headers: Headers) -> Response: ...

    @abc.abstractmethod
    def ping(self) -> Response:
        """GET /ping."""

    def invoke(self, body: Body, *, content_type: str | None = None,
               accept: str | None = None,
               headers: Mapping[str, str] | None = None) -> Response:
        """POST /invocations. ``headers`` may be spelled in any case; ``content_type`` and
        ``accept`` replace the Content-Type and Accept among them."""
        merged = Headers(headers or {})
        if content_type is not None:
            merged["Content-Type"] = content_type
        if accept is not None:
            merged["Accept"] = accept
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return self._send(data, merged)

    def __enter__(self: _Opened) -> _Opened:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class InProcessEndpoint(Endpoint):
    """The serving pipeline in this process, without a JVM or HTTP: the model loaded as
    ``byoc serve`` loads it, each request decoded, predicted and encoded, and every error
    answered, as the server does. Not here: the front end's own limits, and the request
    time limit (SAGEMAKER_MODEL_SERVER_TIMEOUT); use LocalEndpoint for those."""

    def __init__(self, program: str | os.PathLike[str], model_dir: str | os.PathLike[str],
                 *, env: Mapping[str, str] | None = None) -> None:
        super().__init__(program, model_dir, env=env)
        self._app: InferenceApp | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def open(self) -> None:
        settings = ServingSettings.from_env({**os.environ, **self.env})
        self._scratch = tempfile.TemporaryDirectory(prefix="byoc-endpoint-")
        model_dir = resolve_model_dir(self.model_dir, Path(self._scratch.name))
        self._app = InferenceApp.setup(load_program(self.program), model_dir, settings)

    def close(self) -> None:
        self._app = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def ping(self) -> Response:
        self._opened()
        return Response(200)

    def _send(self, body: bytes, headers: Headers) -> Response:
        answer = self._opened().handle(InferenceRequest(body, headers))
        response_headers = Headers(answer.headers)
        response_headers["Content-Type"] = answer.content_type
        return Response(answer.status, answer.body, response_headers)

    def _opened(self) -> InferenceApp:
        if self._app is None:
            raise EndpointError("the endpoint is not open: use it in a with block or call "
                                "open() first")
        return self._app


class LocalEndpoint(Endpoint):
    """The real ``byoc serve`` (multi-model-server's front end and byoc's workers) on a free
    port of 127.0.0.1, stopped with SIGTERM on close. Needs a Java runtime."""

    #: SageMaker sends SIGKILL 30 s after SIGTERM.
    STOP_SECONDS = 30.0

    def __init__(self, program: str | os.PathLike[str], model_dir: str | os.PathLike[str],
                 *, env: Mapping[str, str] | None = None,
                 startup_timeout: float = 120.0) -> None:
        super().__init__(program, model_dir, env=env)
        self.startup_timeout = startup_timeout
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._final_log = ""

    @property
    def log(self) -> str:
        """What ``byoc serve`` has written (stdout and stderr), also after close."""
        if self._log_path is None:
            return self._final_log
        return self._log_path.read_text(errors="replace")

    def open(self) -> None:
        self.port = free_port()
        env = {**os.environ, **self.env, "SAGEMAKER_BIND_TO_PORT": str(self.port)}
        with tempfile.NamedTemporaryFile(prefix="byoc-serve-", suffix=".log",
                                         delete=False) as log:
            self._log_path = Path(log.name)
            self._process = subprocess.Popen(
                [sys.executable, "-m", "byoc_toolkit", "serve", "--program", self.program,
                 "--model", str(self.model_dir)],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while not self._ping_ok():
            status = self._process.poll()
            if status is not None or time.monotonic() > deadline:
                self.close()
                why = (f"exited with status {status} before it was ready" if status is not None
                       else f"not ready within {self.startup_timeout:g} s")
                raise EndpointError(f"byoc serve {why}:\n{self.log}")
            time.sleep(0.05)

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(self.STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()  # its JVM and workers die with it
                process.wait()
        if self._log_path is not None:
            self._final_log = self.log
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    def ping(self) -> Response:
        return request("127.0.0.1", self._opened_port(), "GET", "/ping", timeout=2)

    def _send(self, body: bytes, headers: Headers) -> Response:
        return request("127.0.0.1", self._opened_port(), "POST", "/invocations", body,
                       headers)

    def _ping_ok(self) -> bool:
        try:
            return self.ping().status == 200
        except OSError:
            return False

    def _opened_port(self) -> int:
        if self._process is None:
            raise EndpointError("the endpoint is not open: use it in a with block or call "
                                "open() first")
        return self.port

"""Running ``byoc serve`` as a real process and talking HTTP to it, for the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from byoc_toolkit.local import invoking
from byoc_toolkit.local.invoking import Response
from byoc_toolkit.testing.ports import free_port
from support.commands import BYOC


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
    return invoking.request("127.0.0.1", port, method, path, body, headers, timeout)


def invoke(port: int, body: bytes, content_type: str = "text/csv",
           accept: str | None = None, path: str = "/invocations") -> Response:
    return invoking.invoke("127.0.0.1", port, body, content_type, accept, path, timeout=30)


def ping(port: int) -> int | None:
    try:
        return request(port, "GET", "/ping", timeout=2).status
    except OSError:
        return None


def wait_for_ping(port: int, running: Callable[[], bool], logs: Callable[[], str],
                  timeout: float = 120) -> float:
    """Seconds until /ping on ``port`` first answers 200; fails when the server stops first
    or the time runs out, showing its log."""
    started = time.monotonic()
    while ping(port) != 200:
        if not running():
            raise AssertionError(f"the server stopped before it was ready:\n{logs()}")
        if time.monotonic() - started > timeout:
            raise AssertionError(f"/ping not 200 within {timeout} s:\n{logs()}")
        time.sleep(0.02)
    return time.monotonic() - started


@dataclass
class ServeProcess:
    """A ``byoc serve`` subprocess with its output captured to a file."""

    port: int
    process: subprocess.Popen
    log_path: Path
    descendants: list[psutil.Process] = field(default_factory=list)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds until /ping first answered 200; fails if the process exits first."""
        elapsed = wait_for_ping(self.port, lambda: self.process.poll() is None,
                                lambda: self.log, timeout)
        self.descendants = psutil.Process(self.process.pid).children(recursive=True)
        return elapsed

    def stop(self, timeout: float = 30) -> float:
        """SIGTERM, then the seconds it took to exit."""
        if self.process.poll() is not None:
            return 0.0
        self.descendants = self.descendants or psutil.Process(
            self.process.pid).children(recursive=True)
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        return time.monotonic() - started

    def kill(self) -> None:
        for proc in [psutil.Process(self.process.pid), *self.descendants]:
            try:
                proc.kill()
            except psutil.Error:
                pass
        self.process.wait(10)

    def worker_pids(self) -> set[int]:
        """The PIDs of the Python workers serving now: the process multi-model-server started
        as its model_service_worker.py and the workers it forked (not the metrics collector,
        which the front end starts with the same executable every minute)."""
        return {p.pid for p in psutil.Process(self.process.pid).children(recursive=True)
                if "model_service_worker.py" in " ".join(p.cmdline())}

    def leftovers(self) -> list[psutil.Process]:
        return [p for p in self.descendants
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def start_serve(program: Path, root: Path, extra_env: dict[str, str] | None = None,
                args: tuple[str, ...] = ()) -> ServeProcess:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "BYOC_"))}
    env.update({"SAGEMAKER_BASE_DIR": str(root), "SAGEMAKER_BIND_TO_PORT": str(port),
                "SAGEMAKER_MODEL_SERVER_WORKERS": "2", **(extra_env or {})})
    log_file = tempfile.NamedTemporaryFile(prefix="byoc-serve-", suffix=".log", delete=False)
    process = subprocess.Popen([BYOC, "serve", "--program", str(program), *args], env=env,
                               stdout=log_file, stderr=subprocess.STDOUT)
    return ServeProcess(port, process, Path(log_file.name))


@contextmanager
def serving(program: Path, root: Path,
            extra_env: dict[str, str] | None = None) -> Iterator[ServeProcess]:
    """A ready ``byoc serve``, stopped with SIGTERM afterwards."""
    serve = start_serve(program, root, extra_env)
    try:
        serve.wait_ready()
        yield serve
    finally:
        serve.stop()

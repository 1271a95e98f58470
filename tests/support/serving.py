"""Running ``byoc serve`` as a real process and talking HTTP to it, for the tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
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
        """The PIDs of the workers forked from the model's process to answer requests."""
        return {p.pid for p in serving_tree(self).forked}

    def leftovers(self) -> list[psutil.Process]:
        return [p for p in self.descendants
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def no_plugin_env(tmp_path: Path) -> dict[str, str]:
    """Environment for ``byoc serve`` on a machine with a Java runtime but no JDK (and no
    plugin built before): byoc's front-end plugin cannot be built."""
    bin_dir = tmp_path / "jre-only"
    bin_dir.mkdir()
    for tool in ("java", "cat"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    return {"PATH": str(bin_dir), "XDG_CACHE_HOME": str(tmp_path / "cache")}


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


#: How ``byoc serve``'s serving processes show in ``ps``.
PROCESS_MODULE = "byoc_toolkit.serving.mms.process"


@dataclass
class ServingTree:
    """The processes of one ``byoc serve``, by role (supervisor.py describes them)."""

    launcher: psutil.Process
    frontend: psutil.Process
    connectors: list[psutil.Process]
    template: psutil.Process | None
    #: Processes that loaded a model: a model process, or each worker of a per-worker model.
    loaders: list[psutil.Process]
    #: Workers forked from a model process.
    forked: list[psutil.Process]


def serving_tree(serve: ServeProcess) -> ServingTree:
    launcher = psutil.Process(serve.process.pid)
    commands: dict[psutil.Process, list[str]] = {}
    for process in launcher.children(recursive=True):
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                commands[process] = process.cmdline()
        except psutil.Error:
            pass  # exited meanwhile
    alive = [p for p, command in commands.items() if command]
    (frontend,) = [p for p in alive if os.path.basename(commands[p][0]) == "java"]
    serving = [p for p in alive if PROCESS_MODULE in commands[p]]
    templates = [p for p in serving if p.ppid() == launcher.pid and "template" in commands[p]]
    template = templates[0] if templates else None
    loaders = [p for p in serving if p not in templates
               and p.ppid() in (launcher.pid, template.pid if template else None)]
    forked = [p for p in serving if p.ppid() in {q.pid for q in loaders}]
    connectors = [p for p in alive if commands[p][:1] == ["cat"] and p.ppid() == frontend.pid]
    return ServingTree(launcher, frontend, connectors, template, loaders, forked)


@dataclass
class Outcome:
    started: float
    status: int | None  # None: the connection failed
    body: bytes = b""


class Load:
    """Threads sending invocations without pause, recording each outcome."""

    def __init__(self, port: int, body: bytes, content_type: str, path: str = "/invocations",
                 threads: int = 2) -> None:
        self.port, self.body, self.content_type, self.path = port, body, content_type, path
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True)
                         for _ in range(threads)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                reply = request(self.port, "POST", self.path, self.body,
                                {"Content-Type": self.content_type}, timeout=60)
                self.outcomes.append(Outcome(started, reply.status, reply.body))
            except OSError:
                self.outcomes.append(Outcome(started, None))
                time.sleep(0.05)

    def failures(self, after: float = 0.0) -> list[Outcome]:
        return [o for o in self.outcomes if o.started >= after and o.status != 200]

    def successes(self, after: float = 0.0) -> list[Outcome]:
        return [o for o in self.outcomes if o.started >= after and o.status == 200]


class PingWatch:
    """Polls /ping, and after each 200 sends an invocation: it must be answered (it may wait
    for a worker), or /ping said 200 while nothing could answer."""

    def __init__(self, port: int, body: bytes, content_type: str,
                 path: str = "/invocations") -> None:
        self.port, self.body, self.content_type, self.path = port, body, content_type, path
        #: (time of the 200 ping, status of the invocation after it or None)
        self.checks: list[tuple[float, int | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PingWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(120)

    def _run(self) -> None:
        while not self._stop.is_set():
            pinged = time.monotonic()
            if ping(self.port) == 200:
                try:
                    status: int | None = request(self.port, "POST", self.path, self.body,
                                                 {"Content-Type": self.content_type},
                                                 timeout=60).status
                except OSError:
                    status = None
                self.checks.append((pinged, status))
            time.sleep(0.05)

    def dishonest(self, after: float = 0.0) -> list[tuple[float, int | None]]:
        """The 200 pings (after ``after``) whose invocation was not answered with 200."""
        return [c for c in self.checks if c[0] >= after and c[1] != 200]

"""``byoc serve``: start multi-model-server with byoc's worker, report ready only when the
model can serve, stop everything on SIGTERM.

Exit codes (errors.ExitCode): 0 after SIGTERM/SIGINT; 1 when the model fails to load, start-up
times out or the server dies; 2 when the settings, the model or the program are unusable.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ...contract import Paths
from ...errors import ExitCode, log
from ...model_artifacts import resolve_model_dir
from ...program import PROGRAM_ENV, resolve_program
from ..settings import ServingSettings
from . import config
from .config import SINGLE_MODEL_NAME, RunDir
from .libc import die_with_parent
from .startup_status import FAILED, STATUS_DIR_ENV, StartupStatus

#: SageMaker sends SIGKILL 30 s after SIGTERM; stop well inside that.
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.02
#: multi-model-server abandons a worker that has not started within 120 s and then opens its
#: port without a model, so /ping would answer 200: give up before that happens.
MODEL_LOAD_LIMIT_SECONDS = 110.0
UNREGISTER_DELAY_SECONDS = 0.5


class Server:
    """One multi-model-server process tree, owned from start to stop."""

    def __init__(self, settings: ServingSettings, run: RunDir, env: dict[str, str],
                 single_model: bool) -> None:
        self.settings = settings
        self.run = run
        self.env = env
        self.single_model = single_model
        self.java_pid: int | None = None
        self.java_status: int | None = None
        self.stop_requested = False

    def start(self) -> None:
        command = config.java_command(self.settings, self.run)
        # Its own session, so that one killpg reaches the JVM and every worker it started.
        process = subprocess.Popen(command, env=self.env, start_new_session=True,
                                   preexec_fn=die_with_parent)
        self.java_pid = process.pid

    def reap(self) -> None:
        """Collect exited children (as PID 1 in a container, orphaned workers too)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.java_pid:
                self.java_status = os.waitstatus_to_exitcode(status)

    @property
    def java_alive(self) -> bool:
        return self.java_pid is not None and self.java_status is None

    def wait_ready(self) -> bool:
        """True once /ping answers 200 and (single model) the model reported it loaded."""
        status = StartupStatus(self.run.status)
        started = time.monotonic()
        deadline = started + self.settings.startup_timeout_seconds
        while not self.stop_requested:
            self.reap()
            if not self.java_alive:
                log(f"multi-model-server exited with status {self.java_status} during start-up")
                return False
            if self.single_model:
                reported = status.read(SINGLE_MODEL_NAME)
                if reported is not None and reported[0] == FAILED:
                    print(reported[1], file=sys.stderr, flush=True)
                    log("stopping: the model failed to load")
                    return False
                if reported is not None and self._ping_ok():
                    return True
                if reported is None and time.monotonic() - started > MODEL_LOAD_LIMIT_SECONDS:
                    log(f"the model is still loading after {MODEL_LOAD_LIMIT_SECONDS:g} s; "
                        "multi-model-server gives a worker 120 s to start; stopping")
                    return False
            elif self._ping_ok():
                return True
            if time.monotonic() > deadline:
                log(f"not ready after {self.settings.startup_timeout_seconds:g} s "
                    "(SAGEMAKER_STARTUP_TIMEOUT); stopping")
                return False
            time.sleep(POLL_SECONDS)
        return False

    def _ping_ok(self) -> bool:
        url = f"http://127.0.0.1:{self.settings.port}/ping"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def wait_exit(self) -> None:
        status = StartupStatus(self.run.status)
        while not self.stop_requested and self.java_alive:
            self.reap()
            if not self.single_model:
                self._unregister_failed(status)
            time.sleep(POLL_SECONDS if not self.single_model else 0.2)

    def _unregister_failed(self, status: StartupStatus) -> None:
        # multi-model-server answers the failed /models request but keeps the model
        # registered, so SageMaker's retry would get 409 and invocations 503. The pause
        # lets that answer go out before the model disappears under it.
        for model in status.failed_models(settled_for=UNREGISTER_DELAY_SECONDS):
            name = urllib.parse.quote(model, safe="")
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.settings.port}/models/{name}", method="DELETE")
            try:
                urllib.request.urlopen(request, timeout=self.settings.timeout_seconds).close()
            except (urllib.error.URLError, OSError) as exc:
                log(f"could not unregister failed model {model!r}: {exc}")
            status.clear(model, FAILED)

    def stop(self) -> None:
        """SIGTERM to the whole tree, SIGKILL to what is left after the grace period."""
        if self.java_pid is None:
            return
        for sig, grace in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.java_pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and _group_alive(self.java_pid):
                self.reap()
                time.sleep(POLL_SECONDS)
            if not _group_alive(self.java_pid):
                break
        self.reap()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # killpg(0) also succeeds for zombies that are not reaped yet; those are harmless here.
    return any(_is_live_member(pid, pgid) for pid in _pids())


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _is_live_member(pid: int, pgid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != b"Z" and int(fields[2]) == pgid


def serve(program: str | None, root: str | None, model: str | None,
          settings: ServingSettings) -> ExitCode:
    """Run the server until SIGTERM; returns the exit code."""
    paths = Paths.from_env(root)
    program_spec = resolve_program(program)
    if program_spec.endswith(".py") or os.sep in program_spec:
        program_spec = str(Path(program_spec).resolve())
    run = RunDir(Path(tempfile.mkdtemp(prefix="byoc-serve-"))).create()
    model_dir = None
    if not settings.multi_model:
        model_dir = resolve_model_dir(Path(model) if model else paths.model_dir, run.root,
                                      settings.archive_limits)
    run.properties.write_text(config.properties(settings, run, model_dir))
    run.log_config.write_text(config.log_config(settings))

    env = dict(os.environ)
    env[PROGRAM_ENV] = program_spec
    env["SAGEMAKER_BASE_DIR"] = str(paths.root)
    # Workers start in the model dir; a module-name program must still import.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    env[STATUS_DIR_ENV] = str(run.status)

    server = Server(settings, run, env, single_model=model_dir is not None)

    def request_stop(signum: int, frame: object) -> None:
        server.stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    started = time.monotonic()
    try:
        server.start()
        if not server.wait_ready():
            return ExitCode.OK if server.stop_requested else ExitCode.FAILED
        what = f"model {model_dir}" if model_dir else f"multi-model root {paths.models_dir}"
        log(f"ready on port {settings.port} in {time.monotonic() - started:.2f} s, serving "
            f"{what} with {settings.workers} worker(s)")
        server.wait_exit()
        if server.stop_requested:
            log("stopping")
            return ExitCode.OK
        log(f"multi-model-server exited with status {server.java_status}")
        return ExitCode.FAILED
    finally:
        server.stop()
        shutil.rmtree(run.root, ignore_errors=True)

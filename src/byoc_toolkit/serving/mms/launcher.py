"""``byoc serve``: load the model (or import the program, multi-model) in processes byoc owns,
run multi-model-server's front end around them, report ready only when a request can be
answered, stop everything on SIGTERM. supervisor.py explains how the pieces meet.

Exit codes (errors.ExitCode): 0 after SIGTERM/SIGINT; 1 when the model fails to load,
start-up times out, the front end dies, or nothing can answer any more; 2 when the settings,
the model or the program are unusable.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ...contract import Paths
from ...contract.sm_env_vars import count_gpus
from ...errors import ExitCode, log
from ...model_artifacts import resolve_model_dir
from ...program import PROGRAM_ENV, resolve_program
from .. import logs
from ..settings import MIB, ServingSettings
from . import config, plugin
from .config import FrontEnd, RunDir
from .connector import CONTROL_SOCKET_ENV
from .libc import become_subreaper
from .process import FRONTEND_TMP_ENV
from .process_tree import stop_all
from .supervisor import Plan, Supervisor

#: SageMaker sends SIGKILL 30 s after SIGTERM; stop well inside that.
STOP_GRACE_SECONDS = 10.0


def serve(program: str | None, root: str | None, model: str | None,
          settings: ServingSettings) -> ExitCode:
    """Run the server until SIGTERM; returns the exit code."""
    paths = Paths.from_env(root)
    program_spec = resolve_program(program)
    if program_spec.endswith(".py") or os.sep in program_spec:
        program_spec = str(Path(program_spec).resolve())
    logs.configure(settings)
    run = RunDir(Path(tempfile.mkdtemp(prefix="byoc-serve-"))).create()
    supervisor: Supervisor | None = None
    try:
        model_dir = None
        if not settings.multi_model:
            model_dir = resolve_model_dir(Path(model) if model else paths.model_dir, run.root,
                                          settings.archive_limits)
        gpus = settings.gpus if settings.gpus is not None else count_gpus()
        # Without Java that is the one thing to say, not what the plugin would have added.
        config.java_executable()
        frontend = FrontEnd.sized(settings, worker_count(settings, gpus), plugin.locate())
        if frontend.max_response_bytes < settings.max_response_bytes:
            log(f"responses are limited to {frontend.max_response_bytes // MIB} MiB: the "
                f"front end's heap ({frontend.heap_mb} MiB, a quarter of this machine's "
                "memory) carries no more (BYOC_MAX_RESPONSE_IN_MB asks for "
                f"{settings.max_response_bytes // MIB})")
        run.properties.write_text(config.properties(settings, run, frontend, model_dir))
        run.log_config.write_text(config.log_config(settings))
        plan = Plan(model_dir, paths.models_dir, frontend.workers, gpus,
                    plugin=frontend.plugin_jar is not None)
        become_subreaper()
        supervisor = Supervisor(settings, run, plan, config.java_command(settings, run, frontend),
                                _environment(paths, program_spec, run, frontend))
        code = supervisor.serve()
        if supervisor.stop_requested:
            log("stopping")
        return code
    finally:
        stop_all(os.getpid(), STOP_GRACE_SECONDS,
                 supervisor.reap if supervisor is not None else lambda: None)
        shutil.rmtree(run.root, ignore_errors=True)


def worker_count(settings: ServingSettings, gpus: int) -> int:
    """SAGEMAKER_MODEL_SERVER_WORKERS, else one per GPU, else one per CPU (one per model on
    a multi-model endpoint)."""
    if settings.workers is not None:
        return settings.workers
    if gpus:
        return gpus
    return 1 if settings.multi_model else (os.cpu_count() or 1)


def _environment(paths: Paths, program: str, run: RunDir, frontend: FrontEnd) -> dict[str, str]:
    """The environment of the front end and the serving processes."""
    env = dict(os.environ)
    env[PROGRAM_ENV] = program
    env["SAGEMAKER_BASE_DIR"] = str(paths.root)
    # A module-name program must import from the directory byoc serve started in.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    env[CONTROL_SOCKET_ENV] = str(run.control_socket)
    env[FRONTEND_TMP_ENV] = str(run.tmp)
    # What the workers enforce: the response limit the front end's heap carries.
    env["BYOC_MAX_RESPONSE_IN_MB"] = str(frontend.max_response_bytes // MIB)
    return env

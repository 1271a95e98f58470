"""The server stacks under test: how each is laid out and started, and whether it can run here.

Every stack gets its own directory (cwd, logs, generated config), its own copy of the trained
/opt/ml tree (SAGEMAKER_BASE_DIR), its own TMPDIR/TEMP (multi-model-server keeps its PID file
and worker sockets there and passes TEMP on as -Djava.io.tmpdir), a free port on 127.0.0.1 and
2 workers. The in-process floor is not a server; see inprocess.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .settings import EXAMPLE_PROGRAM, PEERS_DIR, VENV_BIN, WORKERS

IN_PROCESS = "in-process"
# Parent-environment variables that would reconfigure a stack behind the benchmark's back.
_FOREIGN_ENV_PREFIXES = ("SAGEMAKER_", "MMS_", "BYOC_", "MODEL_SERVER_")


@dataclass(frozen=True)
class StackDir:
    root: Path  # working directory: logs, generated config files
    ml: Path  # SAGEMAKER_BASE_DIR, with model/model.joblib
    tmp: Path  # TMPDIR / TEMP
    port: int


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    env: dict[str, str]


@dataclass(frozen=True)
class ServerStack:
    name: str
    summary: str
    prepare: Callable[[StackDir], Launch]  # writes the stack's files, returns its command
    missing: Callable[[], str | None]  # why it cannot run on this machine, or None


def base_env(d: StackDir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_ENV_PREFIXES)}
    tmp = str(d.tmp)
    return {**env, "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "TMPDIR": tmp, "TEMP": tmp, "TMP": tmp, "SAGEMAKER_BASE_DIR": str(d.ml)}


def sagemaker_env(d: StackDir) -> dict[str, str]:
    """The serving variables SageMaker itself sets, plus the worker count."""
    return {**base_env(d), "SAGEMAKER_BIND_TO_PORT": str(d.port),
            "SAGEMAKER_MODEL_SERVER_WORKERS": str(WORKERS)}


def _needs(program: str) -> Callable[[], str | None]:
    return lambda: None if shutil.which(program) else f"{program} not found"


def _classic(d: StackDir) -> Launch:
    socket = d.root / "gunicorn.sock"
    conf = (PEERS_DIR / "classic_nginx.conf").read_text()
    for marker, value in (("@ROOT@", d.root), ("@SOCKET@", socket), ("@PORT@", d.port)):
        conf = conf.replace(marker, str(value))
    (d.root / "nginx.conf").write_text(conf)
    (d.root / "nginx-temp").mkdir()
    env = {**base_env(d), "MODEL_SERVER_WORKERS": str(WORKERS), "MODEL_SERVER_TIMEOUT": "60"}
    return Launch([sys.executable, str(PEERS_DIR / "classic_serve.py"),
                   str(d.root / "nginx.conf"), str(socket)], env)


def _sit_mms(d: StackDir) -> Launch:
    code = d.ml / "model" / "code"
    code.mkdir(parents=True)
    shutil.copy(PEERS_DIR / "sit_inference.py", code / "inference.py")
    address = f"http://127.0.0.1:{d.port}"
    # SIT writes 0.0.0.0 into the properties file; with its enable_envvars_config=true, MMS
    # lets MMS_* variables override that, which keeps the benchmark on loopback.
    env = {**sagemaker_env(d), "BENCH_MMS_CONFIG": str(d.root / "sagemaker-mms.properties"),
           "MMS_INFERENCE_ADDRESS": address, "MMS_MANAGEMENT_ADDRESS": address}
    return Launch([sys.executable, str(PEERS_DIR / "sit_entry.py")], env)


def _bare_wsgi(d: StackDir) -> Launch:
    env = {**base_env(d), "BENCH_MODEL_PATH": str(d.ml / "model" / "model.joblib")}
    return Launch([str(VENV_BIN / "gunicorn"), "-k", "sync", "-w", str(WORKERS),
                   "-b", f"127.0.0.1:{d.port}", "--pythonpath", str(PEERS_DIR),
                   "bare_wsgi:create_app()"], env)


def _byoc(d: StackDir) -> Launch:
    return Launch([str(VENV_BIN / "byoc"), "serve", "--program", str(EXAMPLE_PROGRAM)],
                  sagemaker_env(d))


def _byoc_missing() -> str | None:
    """Skip byoc until `byoc serve` exists (it is being built on multi-model-server)."""
    done = subprocess.run([str(VENV_BIN / "byoc"), "serve", "--help"],
                          capture_output=True, text=True, timeout=60)
    if done.returncode == 0:
        return None
    last = (done.stderr or done.stdout).strip().splitlines()[-1:]
    return f"`byoc serve --help` failed (exit {done.returncode}): {' '.join(last)}"


SERVER_STACKS = {s.name: s for s in (
    ServerStack("byoc", "byoc serve --program examples/decision_trees/decision_trees.py",
                _byoc, _byoc_missing),
    ServerStack("sit-mms", "sagemaker-inference 1.10.1 start_model_server() on "
                "multi-model-server 1.1.11 (Java), model_fn/predict_fn module",
                _sit_mms, _needs("java")),
    ServerStack("classic", "scikit_bring_your_own: nginx -> gunicorn sync (unix socket) -> "
                "Flask, pandas read_csv/to_csv", _classic, _needs("nginx")),
    ServerStack("bare-wsgi", "gunicorn sync -> bare WSGI callable, np.loadtxt parse",
                _bare_wsgi, lambda: None),
)}
ALL_STACKS = (*SERVER_STACKS, IN_PROCESS)

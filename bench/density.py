"""Multi-model density: a stack started as a multi-model endpoint loads copies of the model
through SageMaker's POST /models, 1 at a time, and is weighed at 1, 10 and 50 models.

- PSS per model: (PSS of the whole session with n models - PSS with none) / n, so a model's
  share of pages it shares with others (the interpreter, forked from one process or not)
  counts once.
- load to first answer: from sending POST /models to the first 200 of
  POST /models/<name>/invoke, polled every 5 ms; the in-process reference is joblib.load of
  the same file, to which the target adds 50 ms.

One worker per model in both stacks (SageMaker's multi-model default).
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
from pathlib import Path

import joblib

from byoc_toolkit.testing.ports import free_port

from . import client
from .fixtures import Fixtures, check_answer
from .processes import ServerProcess
from .settings import PEERS_DIR
from .stacks import ServerStack, StackDir

MODEL_COUNTS = (1, 10, 50)
INVOKE_POLL_SECONDS = 0.005
#: How long a loaded model may take to answer its first invocation correctly.
FIRST_ANSWER_TIMEOUT_SECONDS = 120
SETTLE_SECONDS = 1.0
JOBLIB_LOADS = 20


def multi_model_stacks(stacks: list[str]) -> list[str]:
    """The stacks that serve multi-model endpoints."""
    return [name for name in stacks if name in ("byoc", "sit-mms")]


def measure(stack: ServerStack, fixtures: Fixtures, root: Path, most: int,
            startup_timeout: float) -> dict[str, float]:
    """Load up to ``most`` models (the counts of MODEL_COUNTS not above it) into a fresh
    multi-model ``stack``; PSS per model at each count, and load-to-first-answer times."""
    counts = [n for n in MODEL_COUNTS if n <= most]
    root.mkdir()
    tmp = root / "tmp"
    tmp.mkdir()
    d = StackDir(root=root, ml=shutil.copytree(fixtures.trained_root, root / "ml"), tmp=tmp,
                 port=free_port())
    for i in range(counts[-1]):
        model = d.ml / "models" / f"m{i}"
        shutil.copytree(d.ml / "model", model)
        # sagemaker-inference imports the module "inference" in each model's worker, whose
        # PYTHONPATH multi-model-server starts with the model dir.
        shutil.copy(PEERS_DIR / "sit_inference.py", model / "inference.py")
    launch = stack.prepare(d)
    env = {**launch.env, "SAGEMAKER_MULTI_MODEL": "true", "SAGEMAKER_MODEL_SERVER_WORKERS": "1"}
    server = ServerProcess(launch.argv, env, root, root / "server.log")
    try:
        _wait_ping(server, d.port, startup_timeout)
        time.sleep(SETTLE_SECONDS)
        base = server.memory_mib()["pss_mib"]
        metrics: dict[str, float] = {}
        load_times: list[float] = []
        for i in range(counts[-1]):
            load_times.append(_load_and_invoke(stack.name, server, d, f"m{i}", fixtures))
            if i + 1 in counts:
                time.sleep(SETTLE_SECONDS)
                pss = server.memory_mib()["pss_mib"]
                metrics[f"pss_per_model_{i + 1}_mib"] = (pss - base) / (i + 1)
        metrics["pss_per_model_mib"] = metrics[f"pss_per_model_{counts[-1]}_mib"]
        metrics["load_to_first_ms"] = statistics.median(load_times) * 1e3
        metrics["base_pss_mib"] = base
        return metrics
    finally:
        server.stop()


def joblib_load_ms(fixtures: Fixtures) -> float:
    """The in-process reference: the median time of joblib.load of the model file."""
    times = []
    for _ in range(JOBLIB_LOADS):
        began = time.perf_counter()
        joblib.load(fixtures.model_path)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e3


def _load_and_invoke(stack: str, server: ServerProcess, d: StackDir, name: str,
                     fixtures: Fixtures) -> float:
    body = json.dumps({"model_name": name, "url": str(d.ml / "models" / name)}).encode()
    began = time.perf_counter()
    loaded = client.call(d.port, "POST", "/models", body, timeout=300,
                         content_type="application/json")
    if loaded.status != 200:
        raise RuntimeError(f"POST /models for {name} answered {loaded.status}: "
                           f"{loaded.body[:300]!r}\n{server.log_tail()}")
    while True:
        answer = client.call(d.port, "POST", f"/models/{name}/invoke", fixtures.body("row1"))
        if answer.status == 200:
            elapsed = time.perf_counter() - began
            check_answer(f"{stack} model {name}", "row1", answer, fixtures)
            return elapsed
        if time.perf_counter() - began > FIRST_ANSWER_TIMEOUT_SECONDS:
            raise RuntimeError(f"model {name} still answers {answer.status} after "
                               f"{FIRST_ANSWER_TIMEOUT_SECONDS} s: {answer.body[:300]!r}")
        time.sleep(INVOKE_POLL_SECONDS)


def _wait_ping(server: ServerProcess, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.call(port, "GET", "/ping", timeout=1).status == 200:
                return
        except OSError:
            pass
        if not server.running():
            raise RuntimeError(f"server exited before ready:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready after {timeout:.0f} s:\n{server.log_tail()}")
        time.sleep(0.02)


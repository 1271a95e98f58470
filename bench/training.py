"""Training: `byoc train` on the example against the same training as a plain script."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .fixtures import byoc_train, fresh_training_root
from .settings import PEERS_DIR


def _plain_train(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(PEERS_DIR / "plain_train.py"), str(root)],
                          capture_output=True, text=True, timeout=300)


def _timed(name: str, runner: Callable[[Path], subprocess.CompletedProcess[str]],
           root: Path) -> float:
    fresh_training_root(root)
    began = time.perf_counter()
    done = runner(root)
    elapsed = time.perf_counter() - began
    if done.returncode != 0 or not (root / "model" / "model.joblib").is_file():
        raise RuntimeError(f"{name} training failed ({done.returncode}):\n"
                           f"{done.stdout}{done.stderr}")
    return elapsed


def measure(workdir: Path, runs: int) -> dict[str, float]:
    """Median wall seconds of each over ``runs`` alternating runs, and byoc's overhead."""
    byoc, plain = [], []
    for _ in range(runs):
        # Alternate so a warming page cache or a noisy neighbour hits both alike.
        byoc.append(_timed("byoc", byoc_train, workdir / "train-byoc"))
        plain.append(_timed("plain script", _plain_train, workdir / "train-plain"))
    byoc_s, plain_s = statistics.median(byoc), statistics.median(plain)
    return {"byoc_s": byoc_s, "plain_s": plain_s, "overhead_s": byoc_s - plain_s}

"""Where things are and how long each measurement runs."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "bench"
PEERS_DIR = BENCH_DIR / "peers"
RESULTS_DIR = BENCH_DIR / "results"
EXAMPLE_DIR = REPO / "examples" / "decision_trees"
EXAMPLE_PROGRAM = EXAMPLE_DIR / "decision_trees.py"
EXAMPLE_TEST_DIR = EXAMPLE_DIR / "local_test" / "test_dir"
PAYLOAD_CSV = EXAMPLE_DIR / "local_test" / "payload.csv"
# The harness runs in bench/.venv; every stack's commands (byoc, gunicorn, multi-model-server)
# come from the same venv.
VENV_BIN = Path(sys.executable).parent

WORKERS = 2  # "2 workers everywhere": the machine has 2 cores


@dataclass(frozen=True)
class Settings:
    """One benchmark invocation's choices (see cli.py for the flags)."""

    stacks: tuple[str, ...]
    workloads: tuple[str, ...]
    duration: int  # seconds per load point; wrk only takes whole seconds
    warmup: int  # seconds of load after start-up, before the first timed point
    repeats: int
    train_runs: int  # timed `byoc train` and plain-script runs per repeat, each
    models: int  # most models loaded at once by the multi-model workload
    startup_timeout: float  # seconds a stack may take to answer /invocations after start
    base_image: str  # what the image workload builds both images on
    output: Path

    def as_json(self) -> dict[str, object]:
        return {**self.__dict__, "output": str(self.output), "workers": WORKERS}

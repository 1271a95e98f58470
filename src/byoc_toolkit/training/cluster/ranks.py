"""A host's part in the launchers that run the function in every process (torchrun, mpirun):
how many processes, the environment they start with, and the failures they record for their
host to report (the first one is the job's reason)."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from ...contract import BASE_DIR_ENV, TrainingEnv
from ...contract.sm_env_vars import count_gpus
from ...program import PROGRAM_ENV, resolve_program
from .outcome import Outcome

#: Where each process that fails writes its reason (rank-N.json), for its host to report.
RANK_FAILURES_ENV = "BYOC_RANK_FAILURES"
#: The network interface gloo and NCCL use: resourceconfig's (eth0 on SageMaker, lo locally).
SOCKET_IFNAME_VARIABLES = ("GLOO_SOCKET_IFNAME", "NCCL_SOCKET_IFNAME")


def processes_per_host(setting: int | None, option: int | None) -> int:
    """The job's setting (BYOC_NPROC_PER_NODE), else the launcher's option, else one process
    per GPU, else 1."""
    return setting or option or count_gpus() or 1


class HostRanks:
    """This host's processes: a directory of their own (failure records, and whatever the
    launcher keeps there), and the environment they start with."""

    def __init__(self, env: TrainingEnv, program: str | None, directory: str | None = None
                 ) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="byoc-ranks-", dir=directory)
        self.directory = Path(self._directory.name)
        self.environ: dict[str, str] = {
            **os.environ, PROGRAM_ENV: _absolute(resolve_program(program)),
            BASE_DIR_ENV: str(env.paths.root), RANK_FAILURES_ENV: str(self.directory)}
        for name in SOCKET_IFNAME_VARIABLES:
            self.environ.setdefault(name, env.resources.network_interface_name)

    def first_failure(self) -> Outcome | None:
        """The failure a process recorded first: it is the cause, the others mostly fail
        because of it."""
        failures = []
        for path in self.directory.glob("rank-*.json"):
            try:
                failures.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        if not failures:
            return None
        first = min(failures, key=lambda f: f.get("time", 0))
        return Outcome.failed(str(first.get("reason")), first.get("details"))

    def __enter__(self) -> HostRanks:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._directory.cleanup()


def record_failure(environ: Mapping[str, str], rank: str, reason: str,
                   details: str | None) -> None:
    """Record this process's failure for its host (see HostRanks.first_failure)."""
    directory = environ.get(RANK_FAILURES_ENV)
    if not directory:
        return
    record = {"reason": reason, "details": details, "time": time.time()}
    try:
        Path(directory, f"rank-{rank}.json").write_text(json.dumps(record))
    except OSError:
        pass  # the host has finished already: its outcome was decided without this rank


def _absolute(program: str) -> str:
    # The processes import the same file whatever their working directory.
    return str(Path(program).resolve()) if program.endswith(".py") or os.sep in program \
        else program

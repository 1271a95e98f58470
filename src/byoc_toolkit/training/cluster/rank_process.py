"""One process of a launcher that runs the function in every process (torchrun starts this
module; mpirun starts mpi_process): what ``byoc train`` does, for this rank. Every process
runs the function with RANK, LOCAL_RANK and WORLD_SIZE set; only global rank 0 saves the
model. A process that fails records its reason for its host's failure file, named by its
rank."""

from __future__ import annotations

import os
import sys

from ...contract import load_training_env
from ...errors import ExitCode
from .. import stopping
from ..failure_file import failure_of, format_failure
from ..parameters import bind
from ..runner import load_train_spec, train_in_process
from .ranks import record_failure


def run_process() -> ExitCode:
    stopping.install("raise")
    try:
        env = load_training_env()
        spec = load_train_spec(None)
        train_in_process(spec, env, bind(spec.parameters, env), save=env.rank == 0)
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the host's report
        failure = failure_of(exc)
        if failure.exit_code is not ExitCode.OK:
            _record(failure.reason, failure.details)
        return failure.exit_code
    return ExitCode.OK


def _record(reason: str, details: str | None) -> None:
    rank = os.environ.get("RANK", "?")
    where = f"rank {rank} (local rank {os.environ.get('LOCAL_RANK', '?')}) on " \
            f"{os.environ.get('SM_CURRENT_HOST', 'this host')}"
    text = f"{where}: {reason}"
    sys.stderr.write(format_failure(text, details))
    sys.stderr.flush()
    record_failure(os.environ, rank, text, details)


def main() -> None:
    sys.exit(run_process())


if __name__ == "__main__":
    main()

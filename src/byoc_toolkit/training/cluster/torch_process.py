"""One process under torchrun: what ``byoc train`` does, for this rank. Every process runs
the function with RANK, LOCAL_RANK and WORLD_SIZE set; only global rank 0 saves the model.
A process that fails records its reason for its host's failure file, named by its rank."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from ...contract import load_training_env
from ...errors import ExitCode
from .. import stopping
from ..failure_file import failure_of, format_failure
from ..parameters import bind
from ..runner import load_train_spec, train_in_process
from .torchrun import RANK_FAILURES_ENV


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
    directory = os.environ.get(RANK_FAILURES_ENV)
    if directory:
        record = {"reason": text, "details": details, "time": time.time()}
        try:
            Path(directory, f"rank-{rank}.json").write_text(json.dumps(record))
        except OSError:
            pass  # the host has finished already: its outcome was decided without this rank


def main() -> None:
    sys.exit(run_process())


if __name__ == "__main__":
    main()

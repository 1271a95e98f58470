"""``byoc train``: run the registered @train_fn against the /opt/ml contract.

Exit codes (errors.ExitCode): 0 success; 1 the training code failed; 2 the job's input
(config files, hyperparameters, channels) or the program is unusable; 143 stopped by SIGTERM.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from ..contract import Paths, TrainingEnv, load_training_env
from ..contract.sm_env_vars import export as export_sm_env_vars
from ..errors import ExitCode, log
from ..model_artifacts import MODEL_ARCHIVE_NAME, save_model
from ..program import ProgramError, load_program
from ..registry import TrainSpec
from . import stopping
from .failure_file import failure_of, write_failure
from .parameters import bind


def run_training(program: str | None = None,
                 root: str | os.PathLike[str] | None = None) -> ExitCode:
    """Train once (on every host, or through the @train_fn's launcher when it is
    distributed); write output/failure on any failure; return the process exit code."""
    paths = Paths.from_env(root)
    stopping.install("raise")
    started = time.monotonic()
    try:
        env = load_training_env(root)
        for warning in export_sm_env_vars(env.sm_env_vars(), os.environ):
            log(f"warning: {warning}")
        spec = load_train_spec(program)
        if spec.distribution is None:
            train_in_process(spec, env, bind(spec.parameters, env), save=True)
        else:
            from .cluster.launch import run_distributed

            run_distributed(spec, env, program)
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the failure file
        failure = failure_of(exc)
        if failure.exit_code is not ExitCode.OK:
            write_failure(paths.failure_file, failure.reason, failure.details)
        return failure.exit_code
    log(f"training finished in {time.monotonic() - started:.2f} s")
    return ExitCode.OK


def load_train_spec(program: str | None) -> TrainSpec:
    """The program's @train_fn (the program imported now)."""
    spec = load_program(program).train
    if spec is None:
        raise ProgramError("the program registers no @train_fn")
    return spec


def train_in_process(spec: TrainSpec, env: TrainingEnv, kwargs: dict[str, Any],
                     save: bool) -> Any:
    """Call the function in this process with ``kwargs``; with ``save``, save what it
    returns into the model dir. Returns what it returned."""
    for directory in (env.model_dir, env.output_data_dir):
        directory.mkdir(parents=True, exist_ok=True)
    stopping.set_mode(spec.on_sigterm)
    model = spec.func(**kwargs)
    stopping.set_mode("raise")
    if save:
        saved = save_model(model, env.model_dir, spec.saver)
        _report_saved(saved, env.model_dir)
    return model


def _report_saved(saved: Path | None, model_dir: Path) -> None:
    if saved is not None:
        log(f"model saved to {saved}")
    elif not any(model_dir.iterdir()):
        log(f"warning: train_fn returned None and {model_dir} is empty; "
            f"SageMaker will upload an empty {MODEL_ARCHIVE_NAME}")

"""``byoc train``: run the registered @train_fn against the /opt/ml contract.

Exit codes (errors.ExitCode): 0 success; 1 the training code failed; 2 the job's input
(config files, hyperparameters, channels) or the program is unusable; 143 stopped by SIGTERM.
"""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

from ..contract import Paths, load_training_env
from ..errors import ExitCode, InputError, log
from ..model_artifacts import MODEL_ARCHIVE_NAME, save_model
from ..program import ProgramError, load_program
from . import stopping
from .failure_file import write_failure
from .parameters import bind


def run_training(program: str | None = None,
                 root: str | os.PathLike[str] | None = None) -> ExitCode:
    """Train once; write output/failure on any failure; return the process exit code."""
    paths = Paths.from_env(root)
    stopping.install("raise")
    started = time.monotonic()
    try:
        env = load_training_env(root)
        os.environ.update(env.sm_env_vars())
        registered = load_program(program)
        spec = registered.train
        if spec is None:
            raise ProgramError("the program registers no @train_fn")
        kwargs = bind(spec.parameters, env)
        for directory in (env.model_dir, env.output_data_dir):
            directory.mkdir(parents=True, exist_ok=True)
        stopping.set_mode(spec.on_sigterm)
        model = spec.func(**kwargs)
        stopping.set_mode("raise")
        saved = save_model(model, env.model_dir, spec.saver)
        _report_saved(saved, env.model_dir)
    except InputError as exc:
        write_failure(paths.failure_file, str(exc))
        return ExitCode.BAD_INPUT
    except stopping.TrainingStopped as exc:
        write_failure(paths.failure_file, f"TrainingStopped: {exc}", traceback.format_exc())
        return ExitCode.STOPPED
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the failure file
        if isinstance(exc, SystemExit) and exc.code in (0, None):
            return ExitCode.OK
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        write_failure(paths.failure_file, reason, traceback.format_exc())
        return ExitCode.FAILED
    log(f"training finished in {time.monotonic() - started:.2f} s")
    return ExitCode.OK


def _report_saved(saved: Path | None, model_dir: Path) -> None:
    if saved is not None:
        log(f"model saved to {saved}")
    elif not any(model_dir.iterdir()):
        log(f"warning: train_fn returned None and {model_dir} is empty; "
            f"SageMaker will upload an empty {MODEL_ARCHIVE_NAME}")

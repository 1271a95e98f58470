"""``byoc train``: run the registered @train_fn against the /opt/ml contract.

Exit codes: 0 success; 1 the training code failed; 2 the job's input (config files,
hyperparameters, channels) or the program is unusable; 143 stopped by SIGTERM.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

from ..contract import ContractError, Paths, load_training_env
from ..program import ProgramError, load_program
from . import stopping
from .failure_file import write_failure
from .model_saving import save_model
from .parameters import InvalidInputError, bind

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_STOPPED = 128 + 15


def run_training(program: str | None = None, root: str | os.PathLike[str] | None = None) -> int:
    """Train once; write output/failure on any failure; return the process exit code."""
    paths = Paths.from_env(root)
    stopping.install(stopping.RAISE)
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
        stopping.set_mode(stopping.RAISE)
        saved = save_model(model, env.model_dir, spec.saver)
        _report_saved(saved, env.model_dir)
    except (ContractError, InvalidInputError, ProgramError) as exc:
        write_failure(paths.failure_file, str(exc))
        return EXIT_BAD_INPUT
    except stopping.TrainingStopped as exc:
        write_failure(paths.failure_file, f"TrainingStopped: {exc}", traceback.format_exc())
        return EXIT_STOPPED
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the failure file
        if isinstance(exc, SystemExit) and exc.code in (0, None):
            return EXIT_OK
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        write_failure(paths.failure_file, reason, traceback.format_exc())
        return EXIT_FAILED
    print(f"byoc: training finished in {time.monotonic() - started:.2f} s", file=sys.stderr)
    return EXIT_OK


def _report_saved(saved: Path | None, model_dir: Path) -> None:
    if saved is not None:
        print(f"byoc: model saved to {saved}", file=sys.stderr)
    elif not any(model_dir.iterdir()):
        print(f"byoc: warning: train_fn returned None and {model_dir} is empty; "
              "SageMaker will upload an empty model.tar.gz", file=sys.stderr)

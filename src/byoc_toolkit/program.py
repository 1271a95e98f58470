"""Loading the user's program: a .py file or an importable module that uses the decorators."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

from . import registry
from .errors import InputError

PROGRAM_ENV = "BYOC_PROGRAM"


class ProgramError(InputError):
    """The program cannot be found, or does not declare what the command needs."""


def resolve_program(program: str | None) -> str:
    """``program`` if given, else ``$BYOC_PROGRAM``."""
    value = program or os.environ.get(PROGRAM_ENV)
    if not value:
        raise ProgramError(f"no program given: pass --program or set {PROGRAM_ENV}")
    return value


def load_program(program: str | None) -> registry.Registry:
    """Import the program and return what it registered.

    A path (``train.py``, ``src/model.py``) is imported as a module named after the file, with
    its directory on ``sys.path`` so that its own imports and pickled classes resolve the
    same way at training and at serving time. Anything else is a module name.
    """
    spec = resolve_program(program)
    found = registry.reset()
    if spec.endswith(".py") or os.sep in spec:
        _import_file(Path(spec))
    else:
        try:
            importlib.import_module(spec)
        except ModuleNotFoundError as exc:
            if exc.name != spec.split(".")[0] and exc.name != spec:
                raise
            raise ProgramError(f"program module {spec!r} not found on sys.path "
                               f"(a file needs a .py suffix or a path)") from None
    return found


def inspect_program(program: str) -> registry.Registry:
    """Import the program only to read what it registers (for tools such as ``byoc deploy``):
    whatever its import raises becomes a ProgramError naming the program."""
    try:
        return load_program(program)
    except ProgramError:
        raise
    except Exception as exc:  # noqa: BLE001 - the user's module may raise anything on import
        raise ProgramError(f"cannot import {program}: {type(exc).__name__}: {exc}") from None


def _import_file(path: Path) -> None:
    path = path.resolve()
    if not path.is_file():
        raise ProgramError(f"program file {str(path)!r} not found")
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = path.stem
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise ProgramError(f"cannot import {str(path)!r} as a Python module")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise


def inspect_train_fn(program: str) -> registry.TrainSpec:
    """The @train_fn ``program`` registers, imported only to read it (see inspect_program)."""
    spec = inspect_program(program).train
    if spec is None:
        raise ProgramError(f"{program} registers no @train_fn")
    return spec

"""The build context ``byoc build`` hands to docker, and the generic Dockerfile's build args.

The context is a temporary directory holding a copy of the code dir (``program/``) and, for
toolkit development, a byoc-toolkit wheel (``toolkit/``); the Dockerfile stays in the package.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import InputError

PROGRAM_DIR = "program"
WHEEL_DIR = "toolkit"
#: Never useful in an image. local_test/ is the local harness: scripts, test data, models.
SKIPPED = ("__pycache__", "*.pyc", ".git", ".venv", "venv", ".tox", ".mypy_cache",
           ".pytest_cache", ".ruff_cache", "local_test")


class BuildInputError(InputError):
    """The code dir, program or wheel cannot make an image."""


def dockerfile() -> Path:
    """The generic Dockerfile, shipped in this package (the repository's docker/Dockerfile
    links to it)."""
    path = Path(__file__).with_name("Dockerfile")
    if not path.is_file():
        raise BuildInputError(f"{path} is missing: this byoc-toolkit installation lacks "
                              "its package data")
    return path


def find_program(code_dir: Path) -> str:
    """The one top-level .py file in ``code_dir`` that imports byoc_toolkit."""
    candidates = sorted(path.name for path in code_dir.glob("*.py")
                        if "byoc_toolkit" in path.read_text(errors="replace"))
    if len(candidates) != 1:
        found = ", ".join(candidates) or "none"
        raise BuildInputError(f"cannot tell which file in {code_dir} is the program "
                              f"(files importing byoc_toolkit: {found}); pass --program")
    return candidates[0]


def prepare_context(code_dir: Path, program: str | None, wheel: Path | None,
                    directory: Path) -> dict[str, str]:
    """Fill ``directory`` with the build context; return the Dockerfile's build args."""
    program = program or find_program(code_dir)
    if not (code_dir / program).is_file():
        raise BuildInputError(f"program {program!r} is not a file in {code_dir}")
    shutil.copytree(code_dir, directory / PROGRAM_DIR, symlinks=True,
                    ignore=shutil.ignore_patterns(*SKIPPED))
    (directory / ".dockerignore").write_text(_dockerignore(code_dir))
    args = {"CODE_DIR": PROGRAM_DIR, "PROGRAM": program}
    if wheel is not None:
        if wheel.suffix != ".whl":
            raise BuildInputError(f"{wheel} is not a wheel (.whl) file")
        (directory / WHEEL_DIR).mkdir()
        shutil.copy2(wheel, directory / WHEEL_DIR / wheel.name)
        args["BYOC_WHEEL"] = f"{WHEEL_DIR}/{wheel.name}"
    return args


def _dockerignore(code_dir: Path) -> str:
    """The code dir's .dockerignore, its patterns moved under program/ so docker applies
    them to the copy."""
    source = code_dir / ".dockerignore"
    lines = source.read_text().splitlines() if source.is_file() else []
    moved = []
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.lstrip("!").lstrip("/")
        moved.append(f"{'!' if negated else ''}{PROGRAM_DIR}/{pattern}")
    return "".join(f"{line}\n" for line in moved)

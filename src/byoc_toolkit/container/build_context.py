"""The build context ``byoc build`` hands to docker, and the generic Dockerfile's build args.

The context is a temporary directory holding what the code dir's ignore rules keep of it
(``program/``) and, for toolkit development, a byoc-toolkit wheel (``toolkit/``); the
Dockerfile stays in the package.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import InputError
from .ignore_rules import IGNORE_FILE, IgnoreRules

PROGRAM_DIR = "program"
WHEEL_DIR = "toolkit"
#: Read by the Dockerfile, so never left out.
REQUIREMENTS = "requirements.txt"


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
    rules = IgnoreRules.for_code_dir(code_dir)
    for needed in (program, REQUIREMENTS):
        if (code_dir / needed).exists() and rules.excluded(needed):
            raise BuildInputError(f"{needed} is left out by byoc's default ignore rules or "
                                  f"{code_dir / IGNORE_FILE}; add the line '!{needed}' there")
    rules.copy(code_dir, directory / PROGRAM_DIR)
    args = {"CODE_DIR": PROGRAM_DIR, "PROGRAM": program}
    if wheel is not None:
        if wheel.suffix != ".whl":
            raise BuildInputError(f"{wheel} is not a wheel (.whl) file")
        (directory / WHEEL_DIR).mkdir()
        shutil.copy2(wheel, directory / WHEEL_DIR / wheel.name)
        args["BYOC_WHEEL"] = f"{WHEEL_DIR}/{wheel.name}"
    return args


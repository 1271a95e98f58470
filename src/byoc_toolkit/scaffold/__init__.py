"""``byoc init``: a new project that trains, serves, tests and builds as it is."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..errors import InputError

TEMPLATE = Path(__file__).with_name("template")
#: Files whose text names the project.
NAMED_FILES = ("README.md",)
NAME_PLACEHOLDER = "{{name}}"
#: What ``docker build --tag`` accepts as a repository name component.
_NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")


def write_project(directory: Path) -> list[Path]:
    """Write the project into ``directory`` (new, or empty); its name is the directory's,
    lowercased. Returns the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(f"{directory} already exists and is not an empty directory")
    name = directory.resolve().name.lower()
    if not _NAME.fullmatch(name):
        raise InputError(f"{directory.name!r} cannot name an image: use lowercase letters, "
                         "digits and . _ - between them")
    shutil.copytree(TEMPLATE, directory, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for relative in NAMED_FILES:
        path = directory / relative
        path.write_text(path.read_text().replace(NAME_PLACEHOLDER, name))
    return sorted(p for p in directory.rglob("*") if p.is_file())

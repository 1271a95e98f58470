"""Pipe mode: opening the FIFOs ``<channel>_<epoch>`` that SageMaker feeds."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import BinaryIO

from .errors import ContractError


def open_fifo(path: Path, timeout: float) -> BinaryIO:
    """Wait for ``path`` to appear (SageMaker creates it when it starts streaming), check that
    it is a FIFO, and open it for reading; blocks until the writer opens its end."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while not path.exists():
        if time.monotonic() >= deadline:
            raise ContractError(
                "inputdataconfig.json",
                f"Pipe-mode FIFO {path} did not appear within {timeout:g} s",
                path.name,
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    mode = path.stat().st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISREG(mode)):
        raise ContractError("inputdataconfig.json", f"{path} is neither a FIFO nor a file",
                            path.name)
    return open(path, "rb")

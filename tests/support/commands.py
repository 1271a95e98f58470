"""Running the ``byoc`` command for real, as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BYOC = str(Path(sys.executable).with_name("byoc"))


def run_byoc(*args: str, root: Path | None = None, env: dict[str, str] | None = None,
             timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``byoc ARGS`` as a subprocess, with SAGEMAKER_BASE_DIR at ``root``."""
    full_env = {k: v for k, v in os.environ.items() if k != "BYOC_PROGRAM"}
    full_env.update(env or {})
    if root is not None:
        full_env["SAGEMAKER_BASE_DIR"] = str(root)
    return subprocess.run([BYOC, *args], env=full_env, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def failure_text(root: Path) -> str:
    """The failure file a training run wrote under ``root``."""
    return (root / "output" / "failure").read_text()

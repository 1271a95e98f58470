"""What the numbers were measured on: tool and package versions, CPUs, Python."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

PACKAGES = ("byoc-toolkit", "scikit-learn", "numpy", "pandas", "joblib", "flask", "gunicorn",
            "sagemaker-inference", "multi-model-server", "psutil")
TOOLS = {"wrk": ["wrk", "--version"], "nginx": ["nginx", "-v"], "java": ["java", "-version"]}


def _first_line(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    text = (done.stdout + done.stderr).strip()
    return text.splitlines()[0] if text else None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def describe() -> dict[str, object]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "packages": {p: _version(p) for p in PACKAGES},
            "tools": {name: _first_line(argv) for name, argv in TOOLS.items()}}

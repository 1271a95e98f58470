"""How a worker tells ``byoc serve`` that its model loaded, or why it did not.

multi-model-server only learns that a worker started; it cannot tell the launcher that the
model failed to load. The worker writes ``<dir>/<model>.ready`` or ``<model>.failed`` (with
the traceback) into the directory named by BYOC_STATUS_DIR.
"""

from __future__ import annotations

import os
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

STATUS_DIR_ENV = "BYOC_STATUS_DIR"
READY = "ready"
FAILED = "failed"


@dataclass(frozen=True)
class StartupStatus:
    directory: Path

    @classmethod
    def from_env(cls) -> StartupStatus | None:
        value = os.environ.get(STATUS_DIR_ENV)
        return cls(Path(value)) if value else None

    def path(self, model: str, state: str) -> Path:
        # Multi-model names are SageMaker's opaque keys: keep them to one safe file name.
        return self.directory / f"{urllib.parse.quote(model, safe='')}.{state}"

    def report(self, model: str, state: str, details: str = "") -> None:
        # Written then renamed, so the launcher never reads half a traceback.
        partial = self.directory / f".{os.getpid()}.{state}.partial"
        partial.write_text(details, encoding="utf-8")
        partial.rename(self.path(model, state))

    def failed_models(self, settled_for: float = 0.0) -> list[str]:
        """Models that reported a failed load at least ``settled_for`` seconds ago."""
        now = time.time()
        return [urllib.parse.unquote(p.name[: -len(FAILED) - 1])
                for p in self.directory.glob(f"*.{FAILED}")
                if now - p.stat().st_mtime >= settled_for]

    def clear(self, model: str, state: str) -> None:
        self.path(model, state).unlink(missing_ok=True)

    def read(self, model: str) -> tuple[str, str] | None:
        """(state, details) once the worker has reported, else None."""
        for state in (FAILED, READY):
            path = self.path(model, state)
            if path.exists():
                return state, path.read_text(encoding="utf-8")
        return None

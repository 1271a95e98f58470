"""What ``byoc serve`` tells the front end's plugin (java/byoc/mms/ServingState.java reads it):
whether anything can be served, and why a model failed to load, as one JSON file replaced
atomically whenever it changes."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Reasons kept for the front end's answers to failed /models requests (the newest).
MAX_LOAD_FAILURES = 100


@dataclass
class ServingState:
    #: Why no request can be served now (GET /ping answers 503 with it), else None.
    unhealthy: str | None = "starting"
    #: A single-model server: /ping also needs a connected worker.
    single_model: bool = True
    #: Model name -> why it failed to load (the body of the failed POST /models).
    load_failures: dict[str, str] = field(default_factory=dict)

    def record_failure(self, model: str, message: str) -> None:
        self.load_failures.pop(model, None)
        self.load_failures[model] = message
        while len(self.load_failures) > MAX_LOAD_FAILURES:
            del self.load_failures[next(iter(self.load_failures))]

    def write(self, path: Path) -> None:
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(partial, path)

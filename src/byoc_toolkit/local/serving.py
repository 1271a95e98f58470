"""Serving a model locally: ``byoc serve`` in this process, or the image's ``serve``."""

from __future__ import annotations

import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..model_artifacts import resolve_model_dir


def serve_in_container(image: str, model: Path, host: str, port: int,
                       env: Mapping[str, str]) -> int:
    """``docker run IMAGE serve --host HOST`` on the host's network, with the model mounted
    read-only at /opt/ml/model, as a SageMaker endpoint has it; a model.tar.gz is unpacked
    first, as SageMaker does."""
    from ..container import docker

    with tempfile.TemporaryDirectory(prefix="byoc-local-model-") as scratch:
        model_dir = resolve_model_dir(model, Path(scratch))
        args = [docker.executable(), "run", "--rm", "--network", "host",
                "--volume", f"{model_dir}:/opt/ml/model:ro",
                "--env", f"SAGEMAKER_BIND_TO_PORT={port}"]
        for name, value in env.items():
            args += ["--env", f"{name}={value}"]
        process = subprocess.Popen([*args, image, "serve", "--host", host])

        # docker's client passes the signal on to byoc serve in the container, which stops.
        def forward(signum: int, frame: object) -> None:
            process.send_signal(signum)

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, forward)
        return process.wait()

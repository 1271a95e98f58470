"""Images: the example's image from `byoc build` against the classic example's image
(peers/classic_image), both on the same base image.

Both are built once, before the first repeat: `byoc build` of the example with a wheel of this
checkout (scripts/wheel), and `docker build` of the classic image. Each repeat then starts each
image afresh, as SageMaker does: `docker run IMAGE serve` (host network, the trained /opt/ml
mounted, 2 workers), timed from `docker run` to the first 200 of /ping and of a correct
/invocations, polled as for the server stacks (readiness.py). The size is what `docker image
inspect` reports, in decimal MB as `docker images` prints it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from byoc_toolkit.testing.ports import free_port

from . import client
from .fixtures import Fixtures, check_answer
from .processes import ServerProcess
from .readiness import Readiness, wait_ready
from .settings import EXAMPLE_DIR, PEERS_DIR, REPO, VENV_BIN, WORKERS, Settings

Log = Callable[[str], None]


@dataclass(frozen=True)
class Image:
    name: str  # its group in the results is image:<name>
    tag: str
    env: tuple[str, ...]  # NAME=VALUE for `docker run`, besides SAGEMAKER_BIND_TO_PORT

    @property
    def group(self) -> str:
        return f"image:{self.name}"


BYOC = Image("byoc", "byoc-bench/decision-trees:byoc",
             (f"SAGEMAKER_MODEL_SERVER_WORKERS={WORKERS}",))
CLASSIC = Image("classic", "byoc-bench/decision-trees:classic",
                (f"MODEL_SERVER_WORKERS={WORKERS}",))
IMAGES = (BYOC, CLASSIC)


def missing() -> str | None:
    """Why images cannot be built and run here, or None."""
    if shutil.which("docker") is None:
        return "docker not found"
    done = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    return None if done.returncode == 0 else "no Docker engine answers `docker info`"


def build(base_image: str, workdir: Path, log: Log) -> None:
    """Build both images on ``base_image``; raises RuntimeError with the build's last lines."""
    wheel = _run(["scripts/wheel", str(workdir / "wheel")],
                 {"PYTHON": str(VENV_BIN / "python")}).strip()
    log(f"building {BYOC.tag} (byoc build, base {base_image})")
    _run([str(VENV_BIN / "byoc"), "build", str(EXAMPLE_DIR), "--tag", BYOC.tag,
          "--base-image", base_image, "--wheel", wheel, "--network", "host"])
    log(f"building {CLASSIC.tag} (peers/classic_image, base {base_image})")
    _run(["docker", "build", "--network", "host", "--tag", CLASSIC.tag,
          "--build-arg", f"BASE_IMAGE={base_image}",
          "--file", str(PEERS_DIR / "classic_image" / "Dockerfile"), str(PEERS_DIR)])


def _run(argv: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, cwd=REPO, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(argv[:2])} failed ({done.returncode}):\n{tail}")
    return done.stdout


def size_mb(tag: str) -> float:
    return int(_run(["docker", "image", "inspect", "--format", "{{.Size}}", tag])) / 1e6


def cold_start(image: Image, settings: Settings, fixtures: Fixtures, root: Path) -> Readiness:
    """Start ``image`` as SageMaker does, time its readiness, check its answer, stop it."""
    root.mkdir()
    ml = shutil.copytree(fixtures.trained_root, root / "ml")
    port = free_port()
    name = f"byoc-bench-{image.name}-{port}"
    variables = [arg for pair in (f"SAGEMAKER_BIND_TO_PORT={port}", *image.env)
                 for arg in ("--env", pair)]
    argv = ["docker", "run", "--rm", "--name", name, "--network", "host",
            "--volume", f"{ml}:/opt/ml", *variables, image.tag, "serve"]
    server = ServerProcess(argv, dict(os.environ), root, root / "server.log")
    try:
        ready = wait_ready(server, port, fixtures.body("row1"), settings.startup_timeout)
        check_answer(image.group, "payload", client.invoke(port, fixtures.body("payload")),
                     fixtures)
    finally:
        server.stop()  # the docker client passes SIGTERM on to the container
        subprocess.run(["docker", "rm", "--force", name], capture_output=True, timeout=60)
    return ready

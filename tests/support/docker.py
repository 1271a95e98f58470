"""Helpers for tests that run docker: the engine's absence as a skip (or, in CI, a failure),
and ``docker`` / ``docker run`` as captured subprocesses."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

from byoc_toolkit.testing.ports import free_port
from support.paths import REPO
from support.serving import wait_for_ping

# Images and ports of their own per checkout: several checkouts may test on one engine, and
# containers share the host's network.
_CHECKOUT = hashlib.sha256(str(REPO).encode()).hexdigest()[:8]


def checkout_image(name: str) -> str:
    """An image tag of this checkout's own: ``byoc-test-<checkout>/<name>``."""
    return f"byoc-test-{_CHECKOUT}/{name}"


EXAMPLE_IMAGE = checkout_image("decision-trees:latest")
NON_ROOT_IMAGE = checkout_image("decision-trees:non-root")
FOREST_IMAGE = checkout_image("decision-forest:latest")
MPI_IMAGE = checkout_image("mpi-ranks:latest")
TRIXIE_IMAGE = checkout_image("decision-trees:trixie")
#: A fresh machine downloads the JDK and the Python stack; later builds hit the cache.
BUILD_TIMEOUT = 900
#: Where served containers listen (SAGEMAKER_BIND_TO_PORT), one at a time per test session.
SERVING_PORT = free_port()


CONTAINER_ENGINE = Path(os.environ.get(
    "BYOC_CONTAINER_ENGINE", REPO.parent / "shared" / "tools" / "container-engine"))


def container_engine(**env: str) -> str:
    """Run the (idempotent) container-engine script; its last line names the base image."""
    if not CONTAINER_ENGINE.is_file():
        docker_unavailable(f"no {CONTAINER_ENGINE} and BYOC_BASE_IMAGE is not set")
    result = subprocess.run([str(CONTAINER_ENGINE)], capture_output=True, text=True,
                            timeout=600, env={**os.environ, **env})
    if result.returncode != 0:
        docker_unavailable(f"{CONTAINER_ENGINE} failed: {result.stderr.strip()[-500:]}")
    return result.stdout.strip().splitlines()[-1]


def docker_unavailable(reason: str) -> NoReturn:
    """Skip; but under BYOC_REQUIRE_DOCKER=1 (CI) fail: a suite that silently skips its image
    tests proves nothing."""
    if os.environ.get("BYOC_REQUIRE_DOCKER") == "1":
        pytest.fail(f"BYOC_REQUIRE_DOCKER=1, but {reason}", pytrace=False)
    pytest.skip(reason)


def docker(*args: str, timeout: float = 120, check: bool = True
           ) -> subprocess.CompletedProcess[str]:
    """``docker ARGS``, captured."""
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result


def run_in_image(image: str, opt_ml: Path, *args: str, network: str = "host",
                 timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``docker run --rm IMAGE ARGS`` with ``opt_ml`` mounted as /opt/ml, as SageMaker runs
    the container."""
    return docker("run", "--rm", "--network", network, "-v", f"{opt_ml}:/opt/ml", image,
                  *args, timeout=timeout, check=False)


def wait_until_serving(running: Callable[[], bool], logs: Callable[[], str],
                       timeout: float = 120) -> None:
    """Until /ping on the serving port answers 200; fails when the server stops first."""
    wait_for_ping(SERVING_PORT, running, logs, timeout)


@contextmanager
def serving_container(image: str, opt_ml: Path, *env: str) -> Iterator[str]:
    """``docker run IMAGE serve`` detached on the serving port, with ``opt_ml`` as /opt/ml and
    ``NAME=VALUE`` variables; yields the container's name. Removed afterwards, not on exit,
    so that a test can read its exit code after stopping it."""
    name = f"byoc-test-serve-{os.getpid()}-{SERVING_PORT}"
    variables = [arg for pair in env for arg in ("-e", pair)]
    docker("run", "--detach", "--name", name, "--network", "host",
           "-e", f"SAGEMAKER_BIND_TO_PORT={SERVING_PORT}", *variables,
           "-v", f"{opt_ml}:/opt/ml", image, "serve")
    try:
        yield name
    finally:
        docker("rm", "--force", name, check=False)


def wait_until_container_serves(container: str) -> None:
    """Until the container's /ping answers 200; fails with its log when it stops first."""
    wait_until_serving(
        lambda: docker("inspect", "--format", "{{.State.Running}}", container
                       ).stdout.strip() == "true",
        lambda: docker("logs", container, check=False).stderr[-4000:])

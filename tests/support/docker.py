"""Helpers for tests that run docker: the engine's absence as a skip (or, in CI, a failure),
and ``docker`` / ``docker run`` as captured subprocesses."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
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
#: Where served containers listen (SAGEMAKER_BIND_TO_PORT), one at a time per test session.
SERVING_PORT = free_port()


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

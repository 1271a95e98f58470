"""A Docker engine, the local base image, a registry, and the example image built once per
session from this checkout. A pytest plugin: ``pytest_plugins = ["integration.docker_fixtures"]``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE_DIR, REPO, run_byoc

from integration.docker_support import (
    EXAMPLE_IMAGE,
    NON_ROOT_IMAGE,
    docker,
    docker_unavailable,
    run_in_image,
)

CONTAINER_ENGINE = Path(os.environ.get(
    "BYOC_CONTAINER_ENGINE", REPO.parent / "shared" / "tools" / "container-engine"))
REGISTRY = "127.0.0.1:5000"
#: A fresh machine downloads the JRE and the Python stack; later builds hit the cache.
BUILD_TIMEOUT = 900


def _container_engine(**env: str) -> str:
    """Run the (idempotent) container-engine script; its last line names the base image."""
    if not CONTAINER_ENGINE.is_file():
        docker_unavailable(f"no {CONTAINER_ENGINE} and BYOC_BASE_IMAGE is not set")
    result = subprocess.run([str(CONTAINER_ENGINE)], capture_output=True, text=True,
                            timeout=600, env={**os.environ, **env})
    if result.returncode != 0:
        docker_unavailable(f"{CONTAINER_ENGINE} failed: {result.stderr.strip()[-500:]}")
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def base_image() -> str:
    """The local Debian base image: BYOC_BASE_IMAGE, else the one container-engine makes."""
    name = os.environ.get("BYOC_BASE_IMAGE") or _container_engine()
    if shutil.which("docker") is None:
        docker_unavailable("no docker command on PATH")
    engine = docker("info", check=False)
    if engine.returncode != 0:
        docker_unavailable(f"no Docker engine answers: {engine.stderr.strip()[-300:]}")
    if docker("image", "inspect", name, check=False).returncode != 0:
        docker_unavailable(f"base image {name} is not in the local engine")
    return name


@pytest.fixture(scope="session")
def registry(base_image: str) -> str:
    """A real registry on 127.0.0.1:5000, started by container-engine when not running."""
    if not _registry_answers():
        _container_engine(WITH_REGISTRY="1")
    if not _registry_answers():
        docker_unavailable(f"no registry answers on {REGISTRY}")
    return REGISTRY


def _registry_answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def toolkit_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """byoc-toolkit as a wheel built from this checkout's sources. They are built from a
    copy: setuptools' build/ dir in the checkout would keep deleted modules in later wheels."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(REPO / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, source / name)
    directory = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--wheel-dir", str(directory), str(source)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = directory.glob("byoc_toolkit-*.whl")
    return wheel


def _build(tag: str, base_image: str, wheel: Path, *extra: str) -> None:
    started = time.monotonic()
    result = run_byoc("build", str(EXAMPLE_DIR), "--tag", tag, "--base-image", base_image,
                      "--wheel", str(wheel), "--network", "host", *extra,
                      timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result.stderr[-4000:]
    # Shown with -rP: the image build is the suite's largest cost.
    print(f"built {tag} in {time.monotonic() - started:.0f} s")


@pytest.fixture(scope="session")
def example_image(base_image: str, toolkit_wheel: Path) -> str:
    """The decision-tree example on the generic Dockerfile, with this checkout's toolkit."""
    _build(EXAMPLE_IMAGE, base_image, toolkit_wheel)
    return EXAMPLE_IMAGE


@pytest.fixture(scope="session")
def non_root_image(example_image: str, base_image: str, toolkit_wheel: Path) -> str:
    """The example built with RUN_AS=byoc: only the last layers differ from example_image."""
    _build(NON_ROOT_IMAGE, base_image, toolkit_wheel, "--build-arg", "RUN_AS=byoc")
    return NON_ROOT_IMAGE


@pytest.fixture
def trained_opt_ml(example_image: str, opt_ml: Path) -> Path:
    """The example's /opt/ml tree after ``docker run IMAGE train``."""
    result = run_in_image(example_image, opt_ml, "train")
    assert result.returncode == 0, result.stderr
    return opt_ml


@pytest.fixture
def served_container(example_image: str, trained_opt_ml: Path) -> Iterator[str]:
    """``docker run IMAGE serve`` on the trained model, detached; yields the container name.
    Not removed automatically, so that a test can read its exit code after stopping it."""
    name = f"byoc-test-serve-{os.getpid()}"
    docker("run", "--detach", "--name", name, "--network", "host",
           "-v", f"{trained_opt_ml}:/opt/ml", example_image, "serve")
    try:
        yield name
    finally:
        docker("rm", "--force", name, check=False)

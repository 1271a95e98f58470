"""Fixtures of the integration tests: a Docker engine, the local base image, a registry and the
example image built once per session from this checkout; moto's AWS in server mode."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.commands import run_byoc
from support.docker import (
    EXAMPLE_IMAGE,
    FOREST_IMAGE,
    MPI_IMAGE,
    NON_ROOT_IMAGE,
    SERVING_PORT,
    docker,
    docker_unavailable,
    run_in_image,
)
from support.moto_sagemaker import Recording, complete_sagemaker
from support.paths import (
    EXAMPLE_DIR,
    EXAMPLE_PROGRAM,
    EXAMPLE_TEST_DIR,
    FOREST_DIR,
    MPI_IMAGE_DIR,
    PROGRAMS,
    REPO,
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
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An /opt/ml root whose model dir holds what ``byoc train`` made of the example."""
    root = tmp_path_factory.mktemp("serve") / "opt_ml"
    shutil.copytree(EXAMPLE_TEST_DIR, root)
    result = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=root)
    assert result.returncode == 0, result.stderr
    return root


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


def _build(tag: str, base_image: str, wheel: Path, *extra: str,
           code_dir: Path = EXAMPLE_DIR) -> None:
    started = time.monotonic()
    result = run_byoc("build", str(code_dir), "--tag", tag, "--base-image", base_image,
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


@pytest.fixture(scope="session")
def forest_image(base_image: str, toolkit_wheel: Path) -> str:
    """The distributed decision-forest example (its requirements.txt names dask)."""
    _build(FOREST_IMAGE, base_image, toolkit_wheel, code_dir=FOREST_DIR)
    return FOREST_IMAGE


@pytest.fixture(scope="session")
def mpi_image(example_image: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example image with Open MPI, mpi4py and the MPI test program (tests/images/mpi)."""
    context = tmp_path_factory.mktemp("mpi-image")
    shutil.copy(MPI_IMAGE_DIR / "Dockerfile", context / "Dockerfile")
    shutil.copy(PROGRAMS / "mpi_ranks.py", context / "mpi_ranks.py")
    started = time.monotonic()
    docker("build", "--quiet", "--network", "host", "--build-arg",
           f"BASE_IMAGE={example_image}", "--tag", MPI_IMAGE, str(context),
           timeout=BUILD_TIMEOUT)
    print(f"built {MPI_IMAGE} in {time.monotonic() - started:.0f} s")
    return MPI_IMAGE


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
    name = f"byoc-test-serve-{os.getpid()}-{SERVING_PORT}"
    docker("run", "--detach", "--name", name, "--network", "host",
           "-e", f"SAGEMAKER_BIND_TO_PORT={SERVING_PORT}",
           "-v", f"{trained_opt_ml}:/opt/ml", example_image, "serve")
    try:
        yield name
    finally:
        docker("rm", "--force", name, check=False)


REGION = "us-east-1"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a moto server on a free local port, its SageMaker completed where moto
    lacks what the tests need (support.moto_sagemaker)."""
    recording = tmp_path_factory.mktemp("moto") / "recording"
    # moto's recorder reads this when it is imported, so before the server.
    os.environ["MOTO_RECORDER_FILEPATH"] = str(recording)
    from moto.server import ThreadedMotoServer

    complete_sagemaker()
    Recording().clear()
    if not recording.exists():
        raise RuntimeError("moto was imported before MOTO_RECORDER_FILEPATH was set")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_requests(moto_endpoint: str) -> Iterator[Recording]:
    """The requests moto receives during the test."""
    recording = Recording()
    recording.start()
    yield recording
    recording.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for a ``byoc`` subprocess: every AWS call goes to moto, with fake
    credentials, and no configuration from this machine's ~/.aws."""
    missing = tmp_path_factory.mktemp("aws") / "none"
    return {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": str(missing),
            "AWS_SHARED_CREDENTIALS_FILE": str(missing), **FAKE_CREDENTIALS}


@pytest.fixture
def moto_client(moto_endpoint: str) -> Any:
    """``moto_client("ecr")``: a boto3 client on the moto server, to check what byoc did."""
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=moto_endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return client

"""Fixtures of the integration tests: a registry, the example image built once per session
from this checkout (on the base image, and on trixie), moto's AWS in server mode."""

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
    BUILD_TIMEOUT,
    EXAMPLE_IMAGE,
    FOREST_IMAGE,
    MPI_IMAGE,
    NON_ROOT_IMAGE,
    TRIXIE_IMAGE,
    container_engine,
    docker,
    docker_unavailable,
    run_in_image,
    serving_container,
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

from byoc_toolkit.container.build_context import dockerfile, prepare_context

REGISTRY = "127.0.0.1:5000"


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An /opt/ml root whose model dir holds what ``byoc train`` made of the example."""
    root = tmp_path_factory.mktemp("serve") / "opt_ml"
    shutil.copytree(EXAMPLE_TEST_DIR, root)
    result = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="session")
def registry(base_image: str) -> str:
    """A real registry on 127.0.0.1:5000, started by container-engine when not running."""
    if not _registry_answers():
        container_engine(WITH_REGISTRY="1")
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
    """byoc-toolkit as a wheel built from this checkout's sources (scripts/wheel)."""
    done = subprocess.run([str(REPO / "scripts" / "wheel"), str(tmp_path_factory.mktemp("wheel"))],
                          env={**os.environ, "PYTHON": sys.executable}, capture_output=True,
                          text=True, check=True, timeout=300)
    return Path(done.stdout.strip())


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


@pytest.fixture(scope="session")
def trixie_base(base_image: str) -> str:
    """Debian trixie's base image (Python 3.13, openjdk-21), made by container-engine."""
    return container_engine(BYOC_BASE_SUITE="trixie", BYOC_BASE_IMAGE="")


@pytest.fixture(scope="session")
def trixie_image(trixie_base: str, toolkit_wheel: Path) -> str:
    """The example on a trixie base: the same command, no build args."""
    _build(TRIXIE_IMAGE, trixie_base, toolkit_wheel)
    return TRIXIE_IMAGE


@pytest.fixture(scope="session")
def trixie_builder(trixie_image: str, trixie_base: str, toolkit_wheel: Path,
                   tmp_path_factory: pytest.TempPathFactory) -> str:
    """The builder stage of trixie_image, all from the build cache: Python 3.13, pip, and a
    venv with the toolkit and its dependencies; the wheel is in /opt/byoc/toolkit."""
    context = tmp_path_factory.mktemp("trixie-context")
    args = {**prepare_context(EXAMPLE_DIR, None, toolkit_wheel, context),
            "BASE_IMAGE": trixie_base}
    tag = f"{TRIXIE_IMAGE}-builder"
    docker("build", "--network", "host", "--target", "builder", "--file", str(dockerfile()),
           "--tag", tag, *(f"--build-arg={k}={v}" for k, v in args.items()), str(context),
           timeout=BUILD_TIMEOUT)
    return tag


@pytest.fixture
def trained_opt_ml(example_image: str, opt_ml: Path) -> Path:
    """The example's /opt/ml tree after ``docker run IMAGE train``."""
    result = run_in_image(example_image, opt_ml, "train")
    assert result.returncode == 0, result.stderr
    return opt_ml


@pytest.fixture
def served_container(example_image: str, trained_opt_ml: Path) -> Iterator[str]:
    """``docker run IMAGE serve`` on the trained model, detached; yields the container name."""
    with serving_container(example_image, trained_opt_ml) as name:
        yield name


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

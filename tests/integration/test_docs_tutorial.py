"""The tutorial (docs/tutorial.md), followed from a fresh directory: every block marked to run,
in order, in one shell. Nothing is rewritten: the environment points the commands a reader
types at this machine, as CI would configure them: ``byoc build`` at the local base image and
this checkout's wheel (BYOC_BASE_IMAGE, BYOC_BUILD_WHEEL), ``byoc push`` through the local
registry (BYOC_PUSH_REGISTRY), AWS at moto in server mode, the local endpoint at a free port.

This is also the test of ``byoc init``'s promise: its project's tests pass as generated, it
builds, and the image passes every clause of ``byoc check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.doc_fences import DOCS, Fence, run_page, runnable
from support.docker import docker
from support.paths import REPO

from byoc_toolkit.testing.ports import free_port

pytestmark = pytest.mark.docker

TUTORIAL = DOCS / "tutorial.md"
#: The project the tutorial makes, its image's tag and its endpoint.
NAME = "churn"
#: A fresh machine builds the image from nothing (most of the time), then byoc check runs it.
TIMEOUT = 1800
#: The rows the tutorial sends to its local endpoint (byoc init's sample payload).
PAYLOAD = REPO / "src" / "byoc_toolkit" / "scaffold" / "template" / "local_test" / "payload.csv"


def block(command: str) -> Fence:
    """The tutorial's runnable block that starts with ``command``."""
    (found,) = [fence for fence in runnable(TUTORIAL) if fence.body.startswith(command)]
    return found


@pytest.mark.timeout(TIMEOUT + 60)
def test_the_tutorial_runs_from_a_fresh_directory(
        tmp_path: Path, base_image: str, toolkit_wheel: Path, registry: str,
        aws_env: dict[str, str], moto_client) -> None:
    reader = tmp_path / "reader"
    reader.mkdir()
    env = {**aws_env, "BYOC_BASE_IMAGE": base_image, "BYOC_BUILD_WHEEL": str(toolkit_wheel),
           "BYOC_BUILD_NETWORK": "host", "BYOC_PUSH_REGISTRY": registry,
           "DOCKER_CONFIG": str(tmp_path / "docker-config"),
           "SAGEMAKER_BIND_TO_PORT": str(free_port())}
    try:
        run = run_page(TUTORIAL, reader, env, timeout=TIMEOUT)
    finally:
        docker("rmi", NAME, f"{registry}/{NAME}:latest", check=False)
    # Shown with -rP: when each block started, the cost of following the tutorial.
    print("\n".join(line for line in run.stderr.splitlines() if line.startswith("== ")))

    assert run.returncode == 0, run.explain()
    assert "5 passed" in run.output_of(block("pytest")), run.explain()
    assert run.output_of(block("MODEL=$(byoc local train")).strip().endswith("model.tar.gz")
    as_json, *as_csv = run.output_of(block("byoc local invoke")).splitlines()
    rows = PAYLOAD.read_text().count("\n")
    assert len(json.loads(as_json)) == rows and len(as_csv) == rows
    report = run.output_of(block("byoc check")).splitlines()
    assert report[-1].startswith("16 PASS, 0 FAIL, 0 SKIP"), run.explain()
    # No --train-dir: byoc check read the @train_fn in the image and made up its data.
    assert any("while reading its Pipe-mode channel training" in line for line in report)
    assert run.output_of(block("IMAGE=$(byoc push")).strip().startswith(
        f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{NAME}@sha256:")
    assert moto_client("sagemaker").list_endpoints(NameContains=NAME)["Endpoints"] == []

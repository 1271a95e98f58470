"""The example image served as SageMaker runs it: ``docker run IMAGE serve`` on a trained
model, /ping and /invocations on port 8080, and ``docker stop`` ending it cleanly."""

from __future__ import annotations

import time

import joblib
import numpy as np
import pytest
from support.docker import (
    SERVING_PORT,
    docker,
    serving_container,
    wait_until_container_serves,
)
from support.paths import PAYLOAD_CSV
from support.serving import invoke, request

pytestmark = pytest.mark.docker


def test_serve_predicts_the_payload_as_csv(served_container, trained_opt_ml):
    wait_until_container_serves(served_container)

    reply = invoke(SERVING_PORT, PAYLOAD_CSV.read_bytes())

    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("text/csv")
    predictions = reply.body.decode().splitlines()
    # The model the container trained, predicting here in the test's own process.
    model = joblib.load(trained_opt_ml / "model" / "model.joblib")
    in_process = model.predict(np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)).tolist()
    assert len(predictions) == 29
    assert predictions == in_process


def test_docker_stop_ends_serve_within_30_seconds(served_container):
    wait_until_container_serves(served_container)

    started = time.monotonic()
    docker("stop", "--time", "30", served_container, timeout=60)
    elapsed = time.monotonic() - started

    # docker stop sends SIGKILL (exit code 137) when SIGTERM did not end the server in time.
    exit_code = docker("inspect", "--format", "{{.State.ExitCode}}", served_container)
    assert exit_code.stdout.strip() != "137"
    assert elapsed < 30


def test_the_image_serves_execution_parameters(served_container):
    # The plugin that serves it is built in the image's builder stage (BYOC_MMS_PLUGINS_DIR).
    wait_until_container_serves(served_container)

    reply = request(SERVING_PORT, "GET", "/execution-parameters")

    assert reply.status == 200, reply.body
    assert reply.json()["BatchStrategy"] == "MULTI_RECORD"
    assert reply.json()["MaxPayloadInMB"] == 6
    assert "runs without byoc's plugin" not in docker("logs", served_container).stderr


def test_the_front_ends_class_archive_is_valid_for_the_image(example_image, trained_opt_ml):
    # -Xshare:on: a JVM that cannot map the archive (another Java runtime or jar) fails to
    # start instead of starting without it.
    with serving_container(example_image, trained_opt_ml,
                           "SAGEMAKER_MODEL_SERVER_VMARGS=-Xshare:on") as container:
        wait_until_container_serves(container)
        reply = invoke(SERVING_PORT, PAYLOAD_CSV.read_bytes())
        command_lines = docker("exec", container, "sh", "-c",
                               "cat /proc/[0-9]*/cmdline | tr '\\0' ' '").stdout

    assert reply.status == 200, reply.body
    assert "-XX:SharedArchiveFile=/opt/byoc/frontend.jsa " in command_lines

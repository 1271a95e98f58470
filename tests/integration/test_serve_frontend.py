"""The front end: its own errors as one-line JSON, an idle-connection timeout, requests with
both Content-Length and Transfer-Encoding refused, GET /execution-parameters, large responses
and bodies up to SAGEMAKER_MAX_PAYLOAD_IN_MB=1024, and what changes without byoc's plugin."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import zipfile

import psutil
import pytest
from support.paths import EXAMPLE_PROGRAM, PAYLOAD_CSV, PROGRAMS
from support.serving import invoke, no_plugin_env, ping, request, serving, start_serve

pytestmark = pytest.mark.java

SIZED = PROGRAMS / "sized_bodies.py"
MIB = 1 << 20


def exchange(port: int, data: bytes, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; the status, headers and body of the response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading it all
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass  # the front end closes with a reset after an error response
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


def assert_one_line_json_error(reply: tuple[int, dict[str, str], bytes], status: int,
                               message: str) -> None:
    got_status, headers, body = reply
    assert got_status == status, body
    assert headers["content-type"] == "application/json"
    assert b"\n" not in body.strip()
    assert message in json.loads(body)["error"]


@pytest.fixture(scope="module")
def server(trained):
    env = {"SAGEMAKER_MAX_PAYLOAD_IN_MB": "1", "BYOC_IDLE_TIMEOUT_SECONDS": "2",
           "SAGEMAKER_MODEL_SERVER_TIMEOUT": "20"}
    with serving(PROGRAMS / "slow_predictor.py", trained, env) as serve:
        yield serve


def test_front_end_errors_are_one_line_json(server):
    port = server.port
    assert_one_line_json_error(
        exchange(port, b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MIB + b"\r\n\r\n"),
        400, "invalid HTTP request: HTTP header is larger than 8192 bytes")
    assert_one_line_json_error(exchange(port, b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"),
                               404, "Requested resource is not found")
    assert_one_line_json_error(exchange(port, b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"),
                               400, 'request target "*" is not a path')
    too_large = (b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                 b"Content-Length: 3145728\r\n\r\n" + b"1,2,3,4\n" * 1000)
    assert_one_line_json_error(exchange(port, too_large), 413,
                               "request body larger than 2097152 bytes (twice "
                               "SAGEMAKER_MAX_PAYLOAD_IN_MB)")
    assert ping(port) == 200


def test_content_length_with_transfer_encoding_is_refused(server):
    smuggled = (b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"10\r\n5.1,3.5,1.4,0.2\n\r\n0\r\n\r\n")
    assert_one_line_json_error(exchange(server.port, smuggled), 400,
                               "must not carry both Content-Length and Transfer-Encoding")
    chunked = smuggled.replace(b"Content-Length: 4\r\n", b"")
    status, _, body = exchange(server.port, chunked.replace(b"\r\n\r\n10", b"\r\nConnection: "
                                                            b"close\r\n\r\n10"))
    assert status == 200 and body.strip() == b"setosa"


def test_idle_connections_are_closed_but_not_during_a_request(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        idle = time.monotonic()
        try:
            assert sock.recv(4096) == b""
        except ConnectionResetError:
            pass
        assert 1.5 < time.monotonic() - idle < 10
    # A request that takes longer than the idle timeout keeps its connection.
    slow = b"-3,3.5,1.4,0.2\n"
    status, _, body = exchange(server.port, b"POST /invocations HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Type: text/csv\r\nConnection: close\r\n"
                               b"Content-Length: %d\r\n\r\n%s" % (len(slow), slow))
    assert status == 200 and body.strip() == b"setosa"


def test_execution_parameters_follow_the_settings(trained):
    with serving(EXAMPLE_PROGRAM, trained, {"SAGEMAKER_BATCH": "True"}) as serve:
        reply = request(serve.port, "GET", "/execution-parameters")
        assert reply.status == 200
        assert reply.json() == {"MaxConcurrentTransforms": 2, "BatchStrategy": "MULTI_RECORD",
                                "MaxPayloadInMB": 6}
        assert invoke(serve.port, PAYLOAD_CSV.read_bytes()).status == 200
    overrides = {"SAGEMAKER_BATCH_STRATEGY": "SINGLE_RECORD",
                 "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": "8", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "20"}
    with serving(EXAMPLE_PROGRAM, trained, overrides) as serve:
        assert request(serve.port, "GET", "/execution-parameters").json() == {
            "MaxConcurrentTransforms": 8, "BatchStrategy": "SINGLE_RECORD", "MaxPayloadInMB": 20}


def test_a_response_over_the_limit_is_a_clear_500_at_once(trained):
    with serving(SIZED, trained) as serve:
        started = time.monotonic()
        reply = invoke(serve.port, b"80,1\n", accept="application/octet-stream")
        assert time.monotonic() - started < 10
        assert reply.status == 500
        assert reply.json() == {"error": f"the response of {80 * MIB} bytes exceeds the limit "
                                         f"of {24 * MIB} bytes (BYOC_MAX_RESPONSE_IN_MB)"}
        small = invoke(serve.port, b"2,1\n", accept="application/octet-stream")
        assert small.status == 200 and len(small.body) == 2 * MIB
        assert ping(serve.port) == 200


def test_the_front_end_carries_responses_up_to_the_limit(trained):
    with serving(SIZED, trained, {"BYOC_MAX_RESPONSE_IN_MB": "100"}) as serve:
        reply = invoke(serve.port, b"80,1\n", accept="application/octet-stream")
        assert reply.status == 200 and len(reply.body) == 80 * MIB


def test_a_200_mb_body_with_a_256_mb_payload_limit(trained):
    with serving(SIZED, trained, {"SAGEMAKER_MAX_PAYLOAD_IN_MB": "256"}) as serve:
        tree = [psutil.Process(serve.process.pid),
                *psutil.Process(serve.process.pid).children(recursive=True)]
        peak = {"total": 0}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                total = 0
                for process in tree:
                    try:
                        total += process.memory_info().rss
                    except psutil.Error:
                        pass
                peak["total"] = max(peak["total"], total)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        idle = sum(p.memory_info().rss for p in tree)
        try:
            reply = request(serve.port, "POST", "/invocations", b"x" * (200 * MIB),
                            {"Content-Type": "text/csv", "Accept": "application/json"},
                            timeout=300)
        finally:
            done.set()
            sampler.join()
        assert reply.status == 200 and reply.json() == {"bytes": 200 * MIB}
        # Shown with -rP: the memory figure for the notes.
        print(f"RSS of the whole tree: {idle / MIB:.0f} MiB idle, {peak['total'] / MIB:.0f} "
              "MiB at the peak of a 200 MB request")


def test_without_the_plugin_readiness_stays_honest(trained, tmp_path):
    serve = start_serve(PROGRAMS / "slow_loading_model.py", trained,
                        {"TEST_LOAD_SECONDS": "3", **no_plugin_env(tmp_path)})
    try:
        started = time.monotonic()
        while ping(serve.port) != 200:
            assert serve.process.poll() is None, serve.log
            time.sleep(0.05)
        assert time.monotonic() - started >= 3
        assert invoke(serve.port, PAYLOAD_CSV.read_bytes()).status == 200
        assert request(serve.port, "GET", "/execution-parameters").status == 404
        assert "multi-model-server runs without byoc's plugin" in serve.log
    finally:
        serve.stop()


def test_the_plugin_built_by_its_command_is_used_from_byoc_mms_plugins_dir(trained, tmp_path):
    # What the image's builder stage runs; the image then sets BYOC_MMS_PLUGINS_DIR.
    plugins = tmp_path / "plugins"
    built = subprocess.run([sys.executable, "-m", "byoc_toolkit.serving.mms.plugin",
                            str(plugins)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    jar = plugins / "byoc-mms-plugin.jar"
    assert built.stdout.strip() == str(jar)
    with zipfile.ZipFile(jar) as contents:
        assert {"byoc/mms/Ping.class", "byoc/mms/ExecutionParameters.class",
                "META-INF/services/software.amazon.ai.mms.servingsdk.ModelServerEndpoint"
                } <= set(contents.namelist())

    # At run time no JDK is needed (nor used: the jar is not built again).
    env = {**no_plugin_env(tmp_path), "BYOC_MMS_PLUGINS_DIR": str(plugins)}
    serve = start_serve(EXAMPLE_PROGRAM, trained, env)
    try:
        serve.wait_ready()
        reply = request(serve.port, "GET", "/execution-parameters")
        assert reply.status == 200 and reply.json()["BatchStrategy"] == "MULTI_RECORD"
        assert "plugin" not in serve.log
    finally:
        serve.stop()


def test_a_plugins_dir_without_the_jar_is_one_line_and_exit_2(trained, tmp_path):
    env = {"BYOC_MMS_PLUGINS_DIR": str(tmp_path)}
    serve = start_serve(EXAMPLE_PROGRAM, trained, env)
    assert serve.process.wait(60) == 2
    assert serve.log.strip() == (
        f"byoc: error: BYOC_MMS_PLUGINS_DIR={tmp_path}: no byoc-mms-plugin.jar there; build it "
        f"with: python -m byoc_toolkit.serving.mms.plugin {tmp_path}")

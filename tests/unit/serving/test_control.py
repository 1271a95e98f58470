"""The control channel between byoc serve and its processes, and the connector that
multi-model-server starts, run as the real program against a stand-in for byoc serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from byoc_toolkit.serving.mms import connector
from byoc_toolkit.serving.mms.connector import CONTROL_SOCKET_ENV
from byoc_toolkit.serving.mms.control import Channel, ChannelClosed, Failed, Listen
from byoc_toolkit.serving.mms.state_file import MAX_LOAD_FAILURES, ServingState

MMS_ARGS = ["--sock-type", "unix", "--sock-name", "/tmp/.mms.sock.9000", "--handler", "byoc",
            "--model-path", "/opt/ml/models/x", "--model-name", "-leading-dash",
            "--preload-model", "false", "--tmp-dir", "/tmp"]


def test_messages_and_descriptors_cross_the_channel(tmp_path):
    ours, theirs = Channel.pair()
    with open(tmp_path / "f", "w") as passed:
        ours.send(Listen(), fds=(passed.fileno(),))
        message, fds = theirs.receive()
    assert message == Listen() and len(fds) == 1
    os.write(fds[0], b"written through the passed descriptor")
    os.close(fds[0])
    assert (tmp_path / "f").read_text() == "written through the passed descriptor"
    theirs.send(Failed(507, "model 'x' failed to load: MemoryError", "Traceback ..."))
    assert ours.receive() == (Failed(507, "model 'x' failed to load: MemoryError",
                                     "Traceback ..."), [])
    theirs.close()
    with pytest.raises(ChannelClosed):
        ours.receive()


def test_the_connector_reads_mms_arguments_in_pairs():
    options = connector.mms_options(connector.decode_arguments(
        connector.encode_arguments(MMS_ARGS)))
    assert options["--model-name"] == "-leading-dash"
    assert options["--sock-name"] == "/tmp/.mms.sock.9000"
    with pytest.raises(ValueError, match="unexpected arguments"):
        connector.mms_options(MMS_ARGS[:-1])


@pytest.mark.parametrize("path_env, waits_as", [
    (os.environ["PATH"], b"cat"),
    ("/nonexistent", sys.executable.encode()),  # no cat: it waits in Python
], ids=["cat", "python"])
def test_the_connector_attaches_then_lives_as_long_as_the_connection(tmp_path, path_env,
                                                                     waits_as):
    path = str(tmp_path / "control.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server.bind(path)
    server.listen()
    # As the launcher's script runs it: by file name, without byoc_toolkit's package.
    process = subprocess.Popen(
        [sys.executable, "-I", "-S", connector.__file__, "/mms/model_service_worker.py",
         *MMS_ARGS], env={CONTROL_SOCKET_ENV: path, "PATH": path_env}, stdout=subprocess.PIPE)
    connection, _ = server.accept()
    assert connector.decode_arguments(connection.recv(1 << 16)) == MMS_ARGS
    connection.send(connector.ATTACHED)
    assert process.stdout is not None
    assert process.stdout.readline() == f"[PID] {process.pid}\n".encode()
    assert process.stdout.readline() == b"MMS worker started.\n"
    with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
        while cmdline.read().split(b"\0")[0] != waits_as:  # exec'd: the same process
            cmdline.seek(0)
    assert process.poll() is None
    connection.close()
    assert process.wait(10) == 0


def test_the_connector_says_why_it_cannot_attach(tmp_path):
    done = subprocess.run(
        [sys.executable, "-I", "-S", connector.__file__, "/mms/model_service_worker.py",
         *MMS_ARGS], env={CONTROL_SOCKET_ENV: str(tmp_path / "none.sock")},
        capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "the connector for model '-leading-dash' cannot reach byoc serve" in done.stderr


def test_the_state_file_keeps_the_newest_failures(tmp_path):
    state = ServingState(unhealthy=None, single_model=False)
    for i in range(MAX_LOAD_FAILURES + 5):
        state.record_failure(f"m{i}", f"failure {i}")
    state.record_failure("m10", "failed again")
    state.write(tmp_path / "state.json")
    written = json.loads((tmp_path / "state.json").read_text())
    assert written["unhealthy"] is None and written["single_model"] is False
    assert len(written["load_failures"]) == MAX_LOAD_FAILURES
    assert "m0" not in written["load_failures"]
    assert list(written["load_failures"].items())[-1] == ("m10", "failed again")

"""What multi-model-server starts as a model's Python process: a thin connector to byoc serve.

multi-model-server runs ``<python> <mms>/model_service_worker.py --sock-name S --model-name N
--model-path P ...`` once per model, waits (at most two minutes) for "MMS worker started." on
its stdout, then connects its worker threads to the Unix socket S. byoc configures a small
script as that ``<python>``: it runs this file with ``python -I -S``, and this file imports
nothing but ``_socket``, ``os`` and ``sys``, so the connector is up in about the time the
interpreter takes to start (byoc_toolkit, or even ``typing``, would take several times that,
and on a multi-model endpoint it is most of what loading a model costs).

The connector sends its arguments to ``byoc serve`` over the control socket (one datagram,
NUL-separated). ``byoc serve`` binds S and hands it to processes that already imported the
program (for a single model, loaded it too), then answers. The connector prints the line
multi-model-server waits for, and execs ``cat`` reading the control connection: a process of
about 150 KiB that lives exactly as long as that connection. multi-model-server kills it to
unload the model, which closes the connection and tells ``byoc serve`` to stop the model's
processes; if ``byoc serve`` goes away, ``cat`` reads end-of-file and exits.
"""

from __future__ import annotations

import _socket
import os
import sys

MMS_WORKER_SCRIPT = "model_service_worker.py"
#: Where byoc serve listens for connectors (they inherit it through the front end).
CONTROL_SOCKET_ENV = "BYOC_CONTROL_SOCKET"
#: The options multi-model-server 1.1.11 always passes, each followed by its value.
MMS_OPTIONS = ("--sock-type", "--sock-name", "--handler", "--model-path", "--model-name",
               "--preload-model", "--tmp-dir")
#: byoc serve's answer once the model's socket is listening.
ATTACHED = b"attached"
#: The most the arguments may take (a datagram of the control socket).
MAX_ARGUMENTS_BYTES = 1 << 16


def main(argv: list[str]) -> None:
    if len(argv) < 2 or os.path.basename(argv[1]) != MMS_WORKER_SCRIPT:
        # multi-model-server runs its other helpers (the metrics collector) with this "python".
        os.execv(sys.executable, [sys.executable, *argv[1:]])
    try:
        model = mms_options(argv[2:])["--model-name"]
    except ValueError as exc:
        sys.exit(f"byoc: {exc}")
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
    try:
        connection.connect(os.environ[CONTROL_SOCKET_ENV])
        connection.send(encode_arguments(argv[2:]))
        answer = connection.recv(len(ATTACHED))
    except (KeyError, OSError) as exc:
        sys.exit(f"byoc: the connector for model {model!r} cannot reach byoc serve "
                 f"({CONTROL_SOCKET_ENV}): {exc!r}")
    if answer != ATTACHED:
        sys.exit(f"byoc: byoc serve closed the connection for model {model!r}")
    os.write(1, f"[PID] {os.getpid()}\nMMS worker started.\n".encode())
    live_while_connected(connection)


def encode_arguments(args: list[str]) -> bytes:
    return "\0".join(args).encode("utf-8", "surrogateescape")


def decode_arguments(data: bytes) -> list[str]:
    return data.decode("utf-8", "surrogateescape").split("\0")


def mms_options(args: list[str]) -> dict[str, str]:
    """multi-model-server's arguments, read in pairs: a model name may start with ``-``."""
    options = dict(zip(args[::2], args[1::2], strict=False))
    if len(args) % 2 or any(name not in options for name in MMS_OPTIONS):
        raise ValueError(f"unexpected arguments from multi-model-server: {args!r}")
    return options


def live_while_connected(connection: _socket.socket) -> None:
    """Become ``cat`` reading the control connection (until byoc serve closes it). Its
    stdout stays multi-model-server's pipe: a closed stdout means a dead worker to it. byoc
    serve sends nothing more, so nothing is written there."""
    os.dup2(connection.fileno(), 0)
    try:
        os.execvp("cat", ["cat"])
    except OSError:  # no cat (a minimal image): wait in Python, at about 4 MiB instead
        while connection.recv(1):
            pass


if __name__ == "__main__":
    main(sys.argv)

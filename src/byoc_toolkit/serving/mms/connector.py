"""What multi-model-server starts as a model's Python process: a thin connector to byoc serve.

multi-model-server runs ``<python> <mms>/model_service_worker.py --sock-name S --model-name N
--model-path P ...`` once per model, waits (at most two minutes) for "MMS worker started." on
its stdout, then connects its worker threads to the Unix socket S. byoc configures a small
script as that ``<python>``: it runs this file with ``python -I -S``, so it starts without
importing byoc_toolkit (tens of milliseconds, which is most of what loading a model on a
multi-model endpoint costs).

The connector asks ``byoc serve`` over its control socket to serve N on S. ``byoc serve``
binds S and hands it to processes that already imported the program (and, for a single model,
loaded it), then answers. The connector prints the line multi-model-server waits for, and
execs ``cat`` reading the control connection: a process of about 150 KiB that lives exactly as
long as that connection. multi-model-server kills it to unload the model, which closes the
connection and tells ``byoc serve`` to stop the model's processes; if ``byoc serve`` goes away,
``cat`` reads end-of-file and exits.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

if __package__:
    from .control import CONTROL_SOCKET_ENV, Attach, Channel
else:  # run by file name (see above): control.py lies beside this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from control import CONTROL_SOCKET_ENV, Attach, Channel  # type: ignore[no-redef]

MMS_WORKER_SCRIPT = "model_service_worker.py"
#: The options multi-model-server 1.1.11 always passes, each followed by its value.
MMS_OPTIONS = ("--sock-type", "--sock-name", "--handler", "--model-path", "--model-name",
               "--preload-model", "--tmp-dir")


def main(argv: list[str]) -> NoReturn:
    if len(argv) < 2 or Path(argv[1]).name != MMS_WORKER_SCRIPT:
        # multi-model-server runs its other helpers (the metrics collector) with this "python".
        os.execv(sys.executable, [sys.executable, *argv[1:]])
    options = mms_options(argv[2:])
    try:
        channel = Channel.connect(os.environ[CONTROL_SOCKET_ENV])
        channel.send(Attach(options["--model-name"], options["--model-path"],
                            options["--sock-name"]))
        channel.receive()
    except (KeyError, OSError) as exc:
        sys.exit(f"byoc: the connector for model {options['--model-name']!r} cannot reach "
                 f"byoc serve ({CONTROL_SOCKET_ENV}): {exc}")
    print(f"[PID] {os.getpid()}", flush=True)
    print("MMS worker started.", flush=True)
    live_while_connected(channel)


def mms_options(args: list[str]) -> dict[str, str]:
    """multi-model-server's arguments, read in pairs: a model name may start with ``-``."""
    if len(args) % 2:
        sys.exit(f"byoc: unexpected arguments from multi-model-server: {args!r}")
    options = dict(zip(args[::2], args[1::2], strict=True))
    if any(name not in options for name in MMS_OPTIONS):
        sys.exit(f"byoc: unexpected arguments from multi-model-server: {args!r}")
    return options


def live_while_connected(channel: Channel) -> NoReturn:
    """Become ``cat`` reading the control connection (until byoc serve closes it). Its
    stdout stays multi-model-server's pipe: a closed stdout means a dead worker to it. byoc
    serve sends nothing more, so nothing is written there."""
    os.dup2(channel.fileno(), 0)
    try:
        os.execvp("cat", ["cat"])
    except OSError:  # no cat (a minimal image): wait in Python, at about 4 MiB instead
        while channel.socket.recv(1):
            pass
        sys.exit(0)


if __name__ == "__main__":
    main(sys.argv)

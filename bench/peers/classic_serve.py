"""The classic example's ``serve`` script, reproduced: nginx in front of gunicorn sync workers.

Usage: classic_serve.py NGINX_CONF SOCKET. Reads MODEL_SERVER_WORKERS and MODEL_SERVER_TIMEOUT
like the original; exits when either child dies and forwards SIGTERM to both.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from types import FrameType

model_server_timeout = os.environ.get("MODEL_SERVER_TIMEOUT", "60")
model_server_workers = int(os.environ.get("MODEL_SERVER_WORKERS", multiprocessing.cpu_count()))


def start_server(nginx_conf: str, socket: str) -> None:
    print(f"Starting the inference server with {model_server_workers} workers.")
    here = os.path.dirname(os.path.abspath(__file__))
    nginx = subprocess.Popen(["nginx", "-c", nginx_conf])
    gunicorn = subprocess.Popen(["gunicorn", "--timeout", str(model_server_timeout),
                                 "-k", "sync", "-b", f"unix:{socket}",
                                 "-w", str(model_server_workers),
                                 "--pythonpath", here, "classic_predictor:app"])

    def sigterm_handler(signum: int, frame: FrameType | None) -> None:
        for child, sig in ((nginx, signal.SIGQUIT), (gunicorn, signal.SIGTERM)):
            try:
                os.kill(child.pid, sig)
            except OSError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, sigterm_handler)
    # Exit as soon as either server dies, so the container (here: the harness) sees it.
    pids = {nginx.pid, gunicorn.pid}
    while True:
        pid, _ = os.wait()
        if pid in pids:
            break
    sigterm_handler(signal.SIGTERM, None)


if __name__ == "__main__":
    start_server(sys.argv[1], sys.argv[2])

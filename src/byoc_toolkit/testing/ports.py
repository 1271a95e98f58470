"""Free TCP ports on the loopback interface, for servers started by tests and benchmarks."""

from __future__ import annotations

import random
import socket

#: multi-model-server refuses ports from 32767 up ("Invalid port").
PORT_RANGE = range(20000, 32000)


def free_port() -> int:
    """A TCP port on 127.0.0.1, below multi-model-server's limit, that nothing is bound to
    right now (random, so that parallel test runs rarely pick the same one)."""
    for port in random.sample(PORT_RANGE, 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")

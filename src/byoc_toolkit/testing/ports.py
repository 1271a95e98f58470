"""Free TCP ports on loopback addresses, for servers started by tests, benchmarks and local
jobs."""

from __future__ import annotations

import random
import socket

#: multi-model-server refuses ports from 32767 up ("Invalid port").
PORT_RANGE = range(20000, 32000)


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port on ``address``, below multi-model-server's limit, that nothing is bound to
    right now (random, so that parallel test runs rarely pick the same one)."""
    for port in random.sample(PORT_RANGE, 200):
        with socket.socket() as sock:
            try:
                sock.bind((address, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")

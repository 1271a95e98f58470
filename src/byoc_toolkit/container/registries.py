"""Registry hosts as this machine reaches them."""

from __future__ import annotations

import socket


def resolve_error(host: str) -> str | None:
    """Why the registry ``host`` (``name[:port]``) does not resolve here, or None if it does."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    try:
        socket.getaddrinfo(name, None)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None

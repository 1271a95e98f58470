"""Host names to addresses. SageMaker's names (algo-1, ...) can resolve late, so lookups are
retried until a deadline; a hosts(5) file named by BYOC_HOSTS_FILE is read first, so that a
local cluster of processes maps each name to its own loopback address without root."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .outcome import ClusterError
from .settings import Deadline

#: The longest pause between two lookups of a name that does not resolve yet.
MAX_RETRY_INTERVAL = 5.0

Lookup = Callable[[str], str]


def format_hosts_file(addresses: Mapping[str, str]) -> str:
    """``address name`` lines, as in /etc/hosts."""
    return "".join(f"{address} {name}\n" for name, address in addresses.items())


def read_hosts_file(path: Path) -> dict[str, str]:
    """The names a hosts(5) file maps, each to its address (the first line naming it wins)."""
    addresses: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        try:
            ipaddress.ip_address(fields[0])
        except ValueError:
            raise ClusterError(f"{path}:{number}: {fields[0]!r} is not an IP address") from None
        if len(fields) < 2:
            raise ClusterError(f"{path}:{number}: an address without a name")
        for name in fields[1:]:
            addresses.setdefault(name, fields[0])
    return addresses


def system_lookup(name: str) -> str:
    """The first IPv4 address the system's resolver gives for ``name`` (raises OSError)."""
    infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
    return str(infos[0][4][0])


def lookup_with(hosts_file: Path | None, fallback: Lookup = system_lookup) -> Lookup:
    """A lookup that reads ``hosts_file`` (when given) before asking ``fallback``."""
    mapped = read_hosts_file(hosts_file) if hosts_file is not None else {}

    def lookup(name: str) -> str:
        return mapped[name] if name in mapped else fallback(name)

    return lookup


def resolve_all(names: Iterable[str], lookup: Lookup, deadline: Deadline) -> dict[str, str]:
    """Every name's address, retrying each until ``deadline``; a name that still does not
    resolve then is a ClusterError naming it."""
    addresses: dict[str, str] = {}
    for name in names:
        interval = 0.1
        while True:
            try:
                addresses[name] = lookup(name)
                break
            except OSError as exc:
                if deadline.remaining() < interval:
                    raise ClusterError(f"host {name} does not resolve after "
                                       f"{deadline.seconds:g} s: {exc}") from None
            time.sleep(interval)
            interval = min(interval * 2, MAX_RETRY_INTERVAL)
    return addresses


def wait_for_port(host: str, address: str, port: int, deadline: Deadline,
                  alive: Callable[[], bool] = lambda: True) -> None:
    """Until ``address:port`` accepts connections; a ClusterError naming ``host`` when it does
    not by ``deadline`` or when ``alive()`` turns false (the process meant to open it died)."""
    while True:
        try:
            with socket.create_connection((address, port), timeout=1.0):
                return
        except OSError as exc:
            if not alive():
                raise ClusterError(f"{host} ({address}:{port}) stopped before it accepted "
                                   f"connections") from None
            if deadline.expired():
                raise ClusterError(f"{host} ({address}:{port}) did not accept connections "
                                   f"within {deadline.seconds:g} s: {exc}") from None
        time.sleep(0.1)

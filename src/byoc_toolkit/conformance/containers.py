"""The containers ``byoc check`` runs: started as SageMaker starts them (``docker run IMAGE
train|serve``, on the host network), timed, stopped with SIGTERM, always removed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..container import docker
from .clauses import LINE_LIMIT


@dataclass(frozen=True)
class Mount:
    source: Path
    target: str
    read_only: bool = False

    def option(self) -> str:
        return f"{self.source}:{self.target}{':ro' if self.read_only else ''}"


@dataclass(frozen=True)
class Stopped:
    """How a container ended after SIGTERM: the seconds it took, or None when it was still
    running at the limit; and its exit status."""

    seconds: float | None
    status: int | None


@dataclass(frozen=True)
class Container:
    id: str
    #: time.monotonic() just before ``docker run``.
    started: float

    @classmethod
    def start(cls, image: str, command: str, *, env: Mapping[str, str],
              mounts: Sequence[Mount] = ()) -> Container:
        args = ["--network", "host", "--name", f"byoc-check-{uuid.uuid4().hex[:12]}"]
        for name, value in env.items():
            args += ["--env", f"{name}={value}"]
        for mount in mounts:
            args += ["--volume", mount.option()]
        started = time.monotonic()
        return cls(docker.run_detached([*args, image, command]), started)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def exit_status(self) -> int | None:
        """The exit status once it has stopped, else None."""
        state = docker.inspect(self.id, "container").get("State", {})
        return None if state.get("Running") else int(state.get("ExitCode", -1))

    def wait(self, limit: float) -> int | None:
        return docker.wait(self.id, limit)

    def stop(self, limit: float) -> Stopped:
        """SIGTERM, then up to ``limit`` seconds for it to end."""
        ended = self.exit_status()
        if ended is not None:
            return Stopped(0.0, ended)
        sent = time.monotonic()
        docker.send_signal(self.id, "TERM")
        status = docker.wait(self.id, limit)
        return Stopped(None if status is None else time.monotonic() - sent, status)

    def last_log_line(self) -> str:
        lines = [line.strip() for line in docker.logs(self.id).splitlines() if line.strip()]
        last = lines[-1] if lines else "(no output)"
        return last if len(last) <= LINE_LIMIT else last[:LINE_LIMIT] + "..."

    def remove(self) -> None:
        docker.remove(self.id)

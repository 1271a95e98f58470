"""The docker command line, run as a subprocess: build, login, tag, push, inspect, and the
containers `byoc check` runs.

Long commands (build, push) stream docker's own progress to stderr, keeping stdout for the
results byoc prints; short ones are captured and fail with docker's last error line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ByocError


class DockerError(ByocError):
    """A docker command failed, or there is no docker command; the message is one line."""


def executable() -> str:
    """The docker command's path; a DockerError when there is none."""
    found = shutil.which("docker")
    if found is None:
        raise DockerError("docker not found on PATH: install Docker and start its engine")
    return found


def _stream(*args: str) -> None:
    result = subprocess.run([executable(), *args], stdout=sys.stderr, check=False)
    if result.returncode != 0:
        raise DockerError(f"docker {args[0]} failed (exit {result.returncode}); "
                          "its output is above")


def _capture(*args: str, stdin: str | None = None, action: str | None = None) -> str:
    """Run docker; on failure a DockerError: ``<action> failed: <docker's last line>``."""
    result = subprocess.run([executable(), *args], input=stdin, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit {result.returncode}"]
        raise DockerError(f"{action or 'docker ' + ' '.join(args[:2])} failed: {lines[-1]}")
    return result.stdout


def build(context: Path, dockerfile: Path, tag: str, build_args: Mapping[str, str],
          network: str | None = None, no_cache: bool = False) -> None:
    """``docker build`` of ``context`` with ``dockerfile``, tagged ``tag``."""
    args = ["build", "--file", str(dockerfile), "--tag", tag]
    if network:
        args += ["--network", network]
    if no_cache:
        args.append("--no-cache")
    for name, value in build_args.items():
        args += ["--build-arg", f"{name}={value}"]
    _stream(*args, str(context))


def image_exists(image: str) -> bool:
    """Whether the local engine has ``image`` (an unreachable engine is a DockerError)."""
    return bool(_capture("image", "ls", "--quiet", image).strip())


def login(registry: str, username: str, password: str) -> None:
    """``docker login``, the password on stdin so that it never shows in a process list."""
    _capture("login", "--username", username, "--password-stdin", registry, stdin=password,
             action=f"docker login to {registry}")


def tag(source: str, target: str) -> None:
    _capture("tag", source, target)


def push(image: str) -> None:
    _stream("push", image)


def repo_digests(image: str) -> Sequence[str]:
    """``repository@sha256:...`` for every registry the image was pushed to or pulled from."""
    text = _capture("image", "inspect", "--format", "{{json .RepoDigests}}", image)
    return json.loads(text) or []


def inspect(name: str, kind: str = "image") -> dict[str, Any]:
    """``docker inspect`` of one image or container, as a dict."""
    found: list[dict[str, Any]] = json.loads(_capture(kind, "inspect", name))
    return found[0]


def run_detached(args: Sequence[str]) -> str:
    """``docker run --detach ARGS``; returns the container's id."""
    return _capture("run", "--detach", *args).strip()


def send_signal(container: str, signal_name: str) -> None:
    """``docker kill --signal``: the signal goes to the container's PID 1."""
    _capture("kill", "--signal", signal_name, container)


def wait(container: str, timeout: float) -> int | None:
    """The container's exit status once it has stopped; None if it still runs after
    ``timeout`` seconds."""
    try:
        result = subprocess.run([executable(), "wait", container], capture_output=True,
                                text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0:
        raise DockerError(f"docker wait failed: {result.stderr.strip()}")
    return int(result.stdout.strip())


def processes(container: str) -> list[tuple[int, int, str]]:
    """The container's processes as the host numbers them: (pid, parent pid, command)."""
    rows = _capture("top", container, "-eo", "pid,ppid,args").splitlines()[1:]
    found = []
    for row in rows:
        pid, ppid, command = row.split(None, 2)
        found.append((int(pid), int(ppid), command))
    return found


def logs(container: str) -> str:
    """What the container wrote to stdout and stderr."""
    result = subprocess.run([executable(), "logs", container], capture_output=True, text=True,
                            errors="replace", check=False)
    return result.stdout + result.stderr


def remove(container: str) -> None:
    """``docker rm --force``, quietly: a container already gone is fine."""
    subprocess.run([executable(), "rm", "--force", container], capture_output=True,
                   check=False)

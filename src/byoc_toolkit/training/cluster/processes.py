"""A launcher's processes: started in a session of their own, stopped with everything they
started (torchrun puts each of its workers in a session of its own too)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import stopping

#: SIGTERM, then this long, then SIGKILL, when byoc ends a launcher (another host failed).
STOP_GRACE_SECONDS = 10.0
#: The same when the job itself was stopped: the processes get most of the 120 s SageMaker
#: allows between SIGTERM and SIGKILL, to write their checkpoints.
STOPPED_JOB_GRACE_SECONDS = 100.0


def start_process(command: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(list(command), env=dict(env), start_new_session=True)


def stop_process(process: subprocess.Popen[bytes], patience: float = 0.0) -> None:
    """After ``patience`` seconds for the process to end by itself, SIGTERM to it and every
    process it started, and SIGKILL to those of them left after a grace time."""
    try:
        process.wait(patience)
        return
    except subprocess.TimeoutExpired:
        pass
    # Collected now: once their parent is gone, orphans are no longer found below it.
    pids = [process.pid, *descendants(process.pid)]
    _signal(pids, signal.SIGTERM)
    grace = STOPPED_JOB_GRACE_SECONDS if stopping.stop_requested() else STOP_GRACE_SECONDS
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    alive = process.poll() is None
    _signal([pid for pid in pids if alive or pid != process.pid], signal.SIGKILL)
    process.wait()


def _signal(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid``, from /proc (children, theirs, ...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        below = children.get(pending.pop(), [])
        found += below
        pending += below
    return found

"""Server processes: each in its own session, followed by session and parentage, torn down.

A stack's processes are everything in the session its launcher starts, plus every descendant
of those. The session covers children re-parented to init (sagemaker-inference starts
multi-model-server without --foreground, so the JVM outlives its launcher); parentage covers
children that call setsid (byoc serve starts its JVM with start_new_session=True).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import psutil


class ServerProcess:
    """A launched stack: its session, its log, and the moment it was started."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.started_at = time.monotonic()
            self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    @property
    def sid(self) -> int:
        return self.popen.pid  # start_new_session makes the launcher the session leader

    def members(self) -> list[psutil.Process]:
        """Every live process of the stack: the session's, and all their descendants."""
        found: dict[int, psutil.Process] = {}
        for proc in psutil.process_iter():
            try:
                if os.getsid(proc.pid) == self.sid:
                    found[proc.pid] = proc
            except OSError:
                continue  # gone meanwhile
        for proc in list(found.values()):
            try:
                found.update((c.pid, c) for c in proc.children(recursive=True))
            except psutil.Error:
                continue
        return [p for p in found.values() if _alive(p)]

    def running(self) -> bool:
        return self.popen.poll() is None

    def memory_mib(self) -> dict[str, float]:
        """RSS and PSS summed over the session (PSS counts pages shared by forks once)."""
        rss = pss = 0
        members = self.members()
        for proc in members:
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss
            pss += info.pss
        return {"rss_mib": rss / 2**20, "pss_mib": pss / 2**20, "processes": len(members)}

    def log_tail(self, lines: int = 25) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM every member, SIGKILL what is left after ``grace``; raise if any survive."""
        # Remember everyone seen: once the launcher dies, its setsid children are orphans that
        # neither the session nor parentage leads to any more.
        known = {p.pid: p for p in self.members()}
        _signal(known.values(), signal.SIGTERM)
        psutil.wait_procs(known.values(), timeout=grace)
        deadline = time.monotonic() + 5.0
        # Repeat: a dying JVM can still fork a replacement worker after the first sweep.
        while True:
            known.update((p.pid, p) for p in self.members())
            alive = [p for p in known.values() if _alive(p)]
            if not alive or time.monotonic() > deadline:
                break
            _signal(alive, signal.SIGKILL)
            psutil.wait_procs(alive, timeout=0.5)
        self.popen.wait(timeout=5)  # reap the launcher
        if alive:
            raise RuntimeError(f"processes survived teardown: {[p.pid for p in alive]}")


def _alive(proc: psutil.Process) -> bool:
    """Running and not a zombie (is_running also guards against a recycled pid)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _signal(procs: Iterable[psutil.Process], sig: signal.Signals) -> None:
    for proc in procs:
        try:
            proc.send_signal(sig)
        except psutil.Error:
            continue

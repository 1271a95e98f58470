"""The Linux C library calls the serving processes need, and no-ops where they are
missing (other C libraries, other systems)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

_PR_SET_PDEATHSIG = 1


def _load() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


_libc = _load()


def release_free_memory() -> None:
    """Hand heap memory that Python freed back to the OS (glibc keeps it otherwise, so a
    process would hold its largest request's worth for good)."""
    if _libc is not None and hasattr(_libc, "malloc_trim"):
        _libc.malloc_trim(0)


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Have the kernel send ``sig`` to this process when its parent exits, so that a
    ``byoc serve`` killed with SIGKILL leaves no JVM or worker behind."""
    if _libc is None or not hasattr(_libc, "prctl"):
        return
    parent = os.getppid()
    _libc.prctl(_PR_SET_PDEATHSIG, sig)
    if os.getppid() != parent:  # the parent died before the call took effect
        os.kill(os.getpid(), sig)


_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Adopt this process's orphaned descendants (a worker whose parent died), so that it
    reaps them and they stay in its process tree, as they would under PID 1 in a container."""
    if _libc is not None and hasattr(_libc, "prctl"):
        _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1)

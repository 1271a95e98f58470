"""One process under mpirun: Open MPI's rank, local rank and size become RANK, LOCAL_RANK and
WORLD_SIZE, then it runs as every rank process does (rank_process). A process that fails ends
the whole MPI job at once with MPI_Abort, as ``python -m mpi4py`` does: the others may be
waiting for it in a collective call, and the MPI_Finalize that mpi4py runs at exit would wait
for them in turn."""

from __future__ import annotations

import os
import sys

from ...errors import ExitCode
from .rank_process import run_process

#: What the function sees, from what Open MPI sets in each of its processes.
OPEN_MPI_RANKS = {"RANK": "OMPI_COMM_WORLD_RANK", "LOCAL_RANK": "OMPI_COMM_WORLD_LOCAL_RANK",
                  "WORLD_SIZE": "OMPI_COMM_WORLD_SIZE"}
#: The directory of this host's shared-memory segments (set by its byoc).
SHARED_MEMORY_DIR_ENV = "BYOC_MPI_SHARED_MEMORY_DIR"
#: Open MPI's setting for it. Open MPI names its segments by machine name and local rank, so
#: hosts that share a machine (a local cluster of processes) need a directory each; it is
#: set here, not by mpirun, because mpirun hands its own OMPI_MCA_* variables to every host.
SEGMENTS_DIR_MCA = "OMPI_MCA_btl_vader_backing_directory"


def main() -> None:
    for name, open_mpi_name in OPEN_MPI_RANKS.items():
        os.environ[name] = os.environ[open_mpi_name]
    os.environ.setdefault(SEGMENTS_DIR_MCA, os.environ[SHARED_MEMORY_DIR_ENV])
    code = run_process()
    if code is not ExitCode.OK:
        _abort(code)
    sys.exit(code)


def _abort(code: int) -> None:
    """MPI_Abort, when the function initialized MPI through mpi4py (and did not finalize)."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        mpi.COMM_WORLD.Abort(code)


if __name__ == "__main__":
    main()

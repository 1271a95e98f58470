"""Which worker a per-worker model is loaded in, and the GPU it sees."""

from __future__ import annotations

from dataclasses import dataclass

#: CUDA numbers the GPUs a process may see from 0; byoc shows each worker one of them.
CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES"


@dataclass(frozen=True)
class WorkerInfo:
    """The worker a ``@model_fn(per_worker=True)`` loads its model in (its optional second
    parameter): worker ``index`` of ``count``, and the GPU it sees.

    With GPUs, worker i sees only GPU ``i mod n`` (``CUDA_VISIBLE_DEVICES`` is set before
    the model loads), so inside the worker that GPU is ``cuda:0``: ``device`` says so.
    """

    index: int
    count: int
    #: The machine's number for the GPU this worker sees; None without GPUs.
    gpu: int | None = None

    @classmethod
    def assign(cls, index: int, count: int, gpus: int) -> WorkerInfo:
        """Worker ``index`` of ``count`` on a machine with ``gpus`` GPUs."""
        return cls(index, count, index % gpus if gpus else None)

    @property
    def device(self) -> str:
        """``"cuda:0"`` (the one GPU this worker sees) or ``"cpu"``."""
        return "cpu" if self.gpu is None else "cuda:0"

    def environment(self) -> dict[str, str]:
        """What the worker's environment must say before CUDA starts."""
        return {} if self.gpu is None else {CUDA_VISIBLE_DEVICES: str(self.gpu)}

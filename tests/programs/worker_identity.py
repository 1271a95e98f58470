"""Answers which process served the request and which loaded the model, and logs a line for
each request. With TEST_PER_WORKER=1 the model is per-worker, and then it breaks when used in
any process but the one that loaded it (as a CUDA context does after a fork). A model dir
holding FAIL does not load."""

import logging
import os
import sys

from byoc_toolkit import WorkerInfo, model_fn, predict_fn

PER_WORKER = os.environ.get("TEST_PER_WORKER") == "1"
log = logging.getLogger("worker_identity")


class Model:
    def __init__(self, worker: WorkerInfo | None):
        self.pid = os.getpid()
        self.worker = worker
        self.visible_devices = os.environ.get("CUDA_VISIBLE_DEVICES")

    def use(self) -> None:
        if self.worker is not None and os.getpid() != self.pid:
            raise RuntimeError(f"model loaded in process {self.pid} used in {os.getpid()}")


def _check(model_dir):
    if (model_dir / "FAIL").exists():
        raise RuntimeError(f"the model in {model_dir} cannot load")


if PER_WORKER:
    @model_fn(per_worker=True)
    def load(model_dir, worker: WorkerInfo):
        _check(model_dir)
        return Model(worker)
else:
    @model_fn
    def load(model_dir):
        _check(model_dir)
        return Model(None)


@predict_fn
def predict(model: Model, data: dict) -> dict:
    model.use()
    log.info("predicting in process %d", os.getpid())
    if data.get("exit"):
        sys.exit("predict_fn called sys.exit")
    worker = model.worker
    return {"pid": os.getpid(), "loaded_in": model.pid,
            "index": worker.index if worker else None, "gpu": worker.gpu if worker else None,
            "device": worker.device if worker else None,
            "cuda_visible_devices": model.visible_devices}

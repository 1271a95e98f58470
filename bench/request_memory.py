"""The memory one request costs a serving worker, for the worst bodies of each kind.

    bench/.venv/bin/python -m bench.request_memory [--payload-mb 6]

For each body (a body of exactly the payload limit built to cost the most memory for its
Content-Type and data annotation, or the most a compressed body may expand to), a child is
forked from a process that has set up the app, as byoc's workers are forked from the process
that loaded the model; it handles the request once and reports its peak RSS (ru_maxrss) above
its RSS before the request. The predict_fn returns one value, so what is measured is reading
the request. The serving guide (docs/guides/serving.md) states the bound this gives.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

from byoc_toolkit import predict_fn
from byoc_toolkit.registry import reset
from byoc_toolkit.serving.codecs import DecodeLimits
from byoc_toolkit.serving.inference import InferenceApp
from byoc_toolkit.serving.messages import Headers, InferenceRequest
from byoc_toolkit.serving.settings import ServingSettings

MIB = 1 << 20
# (name, Content-Type, annotation, body for a payload limit in bytes)
Case = tuple[str, str, Any, Callable[[int], bytes]]


def _repeat(unit: bytes, limit: int, open_: bytes = b"", close: bytes = b"",
            separator: bytes = b"") -> bytes:
    count = (limit - len(open_) - len(close)) // (len(unit) + len(separator))
    return open_ + separator.join([unit] * count) + close


def _npy(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npz(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez_compressed(buffer, a=array)
    return buffer.getvalue()


def _expanded(limit: int) -> int:
    """How many bytes a compressed body may expand to, less room for the .npy header."""
    return DecodeLimits.for_payload_limit(limit).max_expanded_bytes - 4096


CASES: tuple[Case, ...] = (
    ("CSV, one line of 0,0,0...", "text/csv", np.ndarray,
     lambda n: _repeat(b"0", n, separator=b",")),
    ("CSV, a 0 a line", "text/csv", np.ndarray, lambda n: _repeat(b"0", n, separator=b"\n")),
    ("CSV, quoted fields (exact path)", "text/csv", np.ndarray,
     lambda n: _repeat(b'"1"', n, separator=b",")),
    ("CSV, one line of a,a,a...", "text/csv", pd.DataFrame,
     lambda n: _repeat(b"a", n, separator=b",")),
    ("CSV, ab a line", "text/csv", pd.DataFrame, lambda n: _repeat(b"ab", n, separator=b"\n")),
    ("CSV, ab,ab...", "text/csv", list, lambda n: _repeat(b"ab", n, separator=b",")),
    ("JSON, [[],[],...]", "application/json", list,
     lambda n: _repeat(b"[]", n, b"[", b"]", b",")),
    ('JSON, [{"a":1},...]', "application/json", pd.DataFrame,
     lambda n: _repeat(b'{"a":1}', n, b"[", b"]", b",")),
    ("JSON, [1.5,...]", "application/json", np.ndarray,
     lambda n: _repeat(b"1.5", n, b"[", b"]", b",")),
    ("JSON, [0.5,...]", "application/json", pd.DataFrame,
     lambda n: _repeat(b"0.5", n, b"[", b"]", b",")),
    ('JSON Lines, {"a":1} a line', "application/jsonlines", pd.DataFrame,
     lambda n: _repeat(b'{"a":1}', n, separator=b"\n")),
    ("JSON Lines, [] a line", "application/jsonlines", list,
     lambda n: _repeat(b"[]", n, separator=b"\n")),
    (".npy, bool", "application/x-npy", list, lambda n: _npy(np.zeros(n - 200, dtype=bool))),
    (".npy, float32", "application/x-npy", list,
     lambda n: _npy(np.zeros((n - 200) // 4, dtype=np.float32))),
    (".npy, float64", "application/x-npy", pd.DataFrame,
     lambda n: _npy(np.zeros(((n - 200) // 32, 4)))),
    (".npz, bool, fully expanded", "application/x-npz", np.ndarray,
     lambda n: _npz(np.zeros(_expanded(n), dtype=bool))),
    (".npz, bool, fully expanded", "application/x-npz", list,
     lambda n: _npz(np.zeros(_expanded(n), dtype=bool))),
    (".npz, float32, fully expanded", "application/x-npz", list,
     lambda n: _npz(np.zeros(_expanded(n) // 4, dtype=np.float32))),
)


def _app(annotation: Any, model_dir: Path, limit: int) -> InferenceApp:
    program = reset()

    def predict(model: Any, data: Any) -> list[int]:
        return [0]

    predict.__annotations__["data"] = annotation
    predict_fn(predict)
    return InferenceApp.setup(program, model_dir, ServingSettings(max_payload_bytes=limit))


def _rss_mib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) // 1024


def _in_child(app: InferenceApp, body: bytes, content_type: str) -> tuple[int, int]:
    """(status, peak MiB above the RSS before the request) of one request, in a fork."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        before = _rss_mib()
        status = app.handle(InferenceRequest(body, Headers({"Content-Type": content_type}))).status
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        os.write(write, json.dumps([status, peak - before]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        status, grown = json.loads(pipe.read())
    os.waitpid(pid, 0)
    return status, grown


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.request_memory")
    parser.add_argument("--payload-mb", type=int, default=6, help="SAGEMAKER_MAX_PAYLOAD_IN_MB")
    limit = parser.parse_args().payload_mb * MIB
    with tempfile.TemporaryDirectory() as model_dir:
        joblib.dump("a model", Path(model_dir) / "model.joblib")
        apps = {annotation: _app(annotation, Path(model_dir), limit)
                for annotation in {case[2] for case in CASES}}
        print(f"payload limit {limit // MIB} MiB: peak RSS above the worker's own, per request")
        worst = 0
        for name, content_type, annotation, make in CASES:
            body = make(limit)
            status, grown = _in_child(apps[annotation], body, content_type)
            worst = max(worst, grown)
            print(f"  {name:34} as {annotation.__name__:9} {status}  body "
                  f"{len(body) / MIB:4.1f} MiB  +{grown:5d} MiB  {grown * MIB / limit:5.1f} x")
        print(f"worst: {worst} MiB, {worst * MIB / limit:.1f} times the payload limit")


if __name__ == "__main__":
    main()

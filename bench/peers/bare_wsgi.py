"""A bare WSGI callable: numpy CSV parse, predict, one prediction per line.

It is the practical Python HTTP limit (served by gunicorn sync workers), and its
``predict_csv`` is also the in-process floor and the reference answer every stack must match.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from typing import Any

import joblib
import numpy as np

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def load_model(path: str) -> Any:
    """The decision tree that ``byoc train`` saved."""
    return joblib.load(path)


def predict_csv(model: Any, body: bytes) -> bytes:
    """Headerless float CSV rows in, one predicted label per line out."""
    # ndmin=2 keeps a single row two-dimensional, as predict() needs.
    features = np.loadtxt(io.StringIO(body.decode()), delimiter=",", ndmin=2)
    return ("\n".join(model.predict(features).tolist()) + "\n").encode()


def create_app() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """gunicorn factory (``bare_wsgi:create_app()``): each worker loads the model before serving."""
    model = load_model(os.environ["BENCH_MODEL_PATH"])

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/ping":
            body, status, content_type = b"", "200 OK", "text/plain"
        elif path == "/invocations" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = predict_csv(model, environ["wsgi.input"].read(length))
            status, content_type = "200 OK", "text/csv"
        else:
            body, status, content_type = b"", "404 Not Found", "text/plain"
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(body)))])
        return [body]

    return app

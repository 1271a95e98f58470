"""The classic scikit_bring_your_own ``predictor.py``, reproduced: Flask, lazy model, pandas CSV.

Differences from the original, all forced by the benchmark: the model is byoc's
``model.joblib`` (loaded with joblib instead of unpickling ``decision-tree-model.pkl``) and the
/opt/ml prefix follows SAGEMAKER_BASE_DIR.
"""

from __future__ import annotations

import io
import os
from typing import Any

import flask
import joblib
import pandas as pd

prefix = os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")
model_path = os.path.join(prefix, "model")


class ScoringService:
    """Loads the model on first use and keeps it in a class attribute, as the example does."""

    model: Any = None

    @classmethod
    def get_model(cls) -> Any:
        if cls.model is None:
            cls.model = joblib.load(os.path.join(model_path, "model.joblib"))
        return cls.model

    @classmethod
    def predict(cls, data: pd.DataFrame) -> Any:
        return cls.get_model().predict(data)


app = flask.Flask(__name__)


@app.route("/ping", methods=["GET"])
def ping() -> flask.Response:
    """Healthy when the model loads (the example's whole health check)."""
    health = ScoringService.get_model() is not None
    status = 200 if health else 404
    return flask.Response(response="\n", status=status, mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def transformation() -> flask.Response:
    """CSV in, CSV out, through pandas, exactly like the example."""
    if flask.request.content_type == "text/csv":
        data = pd.read_csv(io.StringIO(flask.request.data.decode("utf-8")), header=None)
    else:
        return flask.Response(response="This predictor only supports CSV data", status=415,
                              mimetype="text/plain")
    print(f"Invoked with {data.shape[0]} records")
    predictions = ScoringService.predict(data)
    out = io.StringIO()
    pd.DataFrame({"results": predictions}).to_csv(out, header=False, index=False)
    return flask.Response(response=out.getvalue(), status=200, mimetype="text/csv")

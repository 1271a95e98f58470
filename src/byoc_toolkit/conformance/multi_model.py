"""The multi-model clause: with SAGEMAKER_MULTI_MODEL=true, one model under /opt/ml/models
loaded, listed, invoked and unloaded through SageMaker's container API."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import log
from ..local.invoking import Response, request
from ..testing.ports import free_port
from .clauses import MULTI_MODELS_LABEL, Clause, Finding, failed, passed, skipped
from .containers import Container, Mount
from .image import ImageFacts
from .options import CheckOptions, Payload
from .serving import ServeRun, wait_ready

MODEL_NAME = "byoc-check-model"
MODELS_DIR = "/opt/ml/models"
#: A load may take as long as the model does; SageMaker waits minutes for it.
LOAD_LIMIT = 120.0


@dataclass(frozen=True)
class Step:
    name: str
    method: str
    path: str
    expected: int
    body: bytes | None = None
    content_type: str | None = None


def check_multi_model(facts: ImageFacts, options: CheckOptions, model_dir: Path | None,
                      payload: Payload | None, work: Path) -> Finding:
    clause = Clause.MULTI_MODEL_API
    if not facts.has_label(MULTI_MODELS_LABEL):
        return skipped(clause, f"no {MULTI_MODELS_LABEL}=true label")
    if model_dir is None or payload is None:
        return skipped(clause, "needs a model and a payload (--model, --payload)")
    models = work / "models"
    shutil.copytree(model_dir, models / MODEL_NAME / "model")
    run = ServeRun(free_port(), read_only_model=True)
    env = {**options.env, "SAGEMAKER_BIND_TO_PORT": str(run.port),
           "SAGEMAKER_MULTI_MODEL": "true"}
    log("serving: multi-model endpoint")
    container = Container.start(options.image, "serve", env=env,
                                mounts=[Mount(models, MODELS_DIR, read_only=True)])
    try:
        wait_ready(container, run, options.startup_allowance)
        if not run.ready:
            return failed(clause, f"with SAGEMAKER_MULTI_MODEL=true, no 200 from /ping: "
                                  f"{container.last_log_line()}")
        return _walk(clause, run.port, _steps(payload))
    finally:
        container.remove()


def _steps(payload: Payload) -> list[Step]:
    url = f"{MODELS_DIR}/{MODEL_NAME}/model"
    load = json.dumps({"model_name": MODEL_NAME, "url": url}).encode()
    return [Step("load", "POST", "/models", 200, load, "application/json"),
            Step("list", "GET", "/models", 200),
            Step("invoke", "POST", f"/models/{MODEL_NAME}/invoke", 200, payload.body,
                 payload.content_type),
            Step("unload", "DELETE", f"/models/{MODEL_NAME}", 200),
            Step("get after unload", "GET", f"/models/{MODEL_NAME}", 404)]


def _walk(clause: Clause, port: int, steps: list[Step]) -> Finding:
    done = []
    for step in steps:
        headers = {"Content-Type": step.content_type} if step.content_type else {}
        try:
            answer = request("127.0.0.1", port, step.method, step.path, step.body, headers,
                             LOAD_LIMIT)
        except OSError as exc:
            return failed(clause, f"{step.name} ({step.method} {step.path}): no answer: {exc}")
        if answer.status != step.expected or (step.name == "list"
                                               and not _lists_model(answer)):
            text = " ".join(answer.text.split())[:80]
            return failed(clause, f"{step.name} ({step.method} {step.path}) answered "
                                  f"{answer.status} {text}; expected {step.expected}"
                                  f"{' listing ' + MODEL_NAME if step.name == 'list' else ''}")
        done.append(f"{step.name} {answer.status}")
    return passed(clause, ", ".join(done))


def _lists_model(answer: Response) -> bool:
    try:
        models = answer.json().get("models", [])
    except (ValueError, AttributeError):
        return False
    return any(isinstance(m, dict) and m.get("modelName") == MODEL_NAME for m in models)

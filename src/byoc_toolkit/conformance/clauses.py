"""The clauses of SageMaker's container contract that ``byoc check`` measures, each with the
documentation page it comes from, and what a check found for one of them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

_GUIDE = "https://docs.aws.amazon.com/sagemaker/latest/dg"
TRAINING_IMAGE_PAGE = f"{_GUIDE}/your-algorithms-training-algo-dockerfile.html"
TRAINING_OUTPUT_PAGE = f"{_GUIDE}/your-algorithms-training-algo-output.html"
TRAINING_RESULT_PAGE = f"{_GUIDE}/your-algorithms-training-signal-success-failure.html"
INFERENCE_PAGE = f"{_GUIDE}/your-algorithms-inference-code.html"
PIPELINE_PAGE = f"{_GUIDE}/inference-pipeline-real-time.html"
MULTI_MODEL_IMAGE_PAGE = f"{_GUIDE}/build-multi-model-build-container.html"
MULTI_MODEL_API_PAGE = f"{_GUIDE}/mms-container-apis.html"
INVOKE_ENDPOINT_PAGE = ("https://docs.aws.amazon.com/sagemaker/latest/APIReference/"
                        "API_runtime_InvokeEndpoint.html")

#: The longest text a finding quotes (a failure reason, a log line).
LINE_LIMIT = 160

BIND_TO_PORT_LABEL = "com.amazonaws.sagemaker.capabilities.accept-bind-to-port"
MULTI_MODELS_LABEL = "com.amazonaws.sagemaker.capabilities.multi-models"


class Clause(enum.Enum):
    """One rule of the contract, in the order ``byoc check`` reports them."""

    ENTRY_POINT = ("image.entry-point",
                   "the entry point receives SIGTERM itself (exec-form ENTRYPOINT, or a "
                   "PID 1 that handles it)", TRAINING_IMAGE_PAGE)
    BIND_TO_PORT_LABEL = ("image.label.accept-bind-to-port",
                          f"LABEL {BIND_TO_PORT_LABEL}=true, which inference pipelines and "
                          "multi-container endpoints require", PIPELINE_PAGE)
    MULTI_MODELS_LABEL = ("image.label.multi-models",
                          f"LABEL {MULTI_MODELS_LABEL}=true on an image that serves "
                          "multi-model endpoints", MULTI_MODEL_IMAGE_PAGE)
    TRAIN_SUCCEEDS = ("train.success",
                      "`docker run IMAGE train` exits 0 and writes the model into "
                      "/opt/ml/model", TRAINING_OUTPUT_PAGE)
    TRAIN_FAILS_CLEARLY = ("train.failure",
                           "a failing job (an invalid hyperparameter) exits non-zero and "
                           "writes its reason to /opt/ml/output/failure", TRAINING_RESULT_PAGE)
    TRAIN_STOPS = ("train.sigterm",
                   "SIGTERM during training ends it within 120 s (then SageMaker sends "
                   "SIGKILL)", TRAINING_IMAGE_PAGE)
    SERVE_STARTS = ("serve.startup",
                    "/ping answers 200 (within 2 s) within the start-up allowance",
                    INFERENCE_PAGE)
    SERVE_READY = ("serve.ready",
                   "a 200 from /ping means the container is ready for /invocations: the "
                   "first request after it succeeds", INFERENCE_PAGE)
    PING_TIME = ("serve.ping-time",
                 "once ready, each /ping answers within 2 s (the health check's timeout)",
                 INFERENCE_PAGE)
    BIND_TO_PORT = ("serve.bind-to-port",
                    "listens on the port SAGEMAKER_BIND_TO_PORT names (here not 8080)",
                    PIPELINE_PAGE)
    ACCEPT_TIME = ("serve.accept-time", "accepts socket connections within 250 ms",
                   INFERENCE_PAGE)
    INVOCATIONS = ("serve.invocations",
                   "/invocations with the payload answers 200 within 60 s", INFERENCE_PAGE)
    LARGE_BODY = ("serve.6mib-body",
                  "a 6 MiB request body (InvokeEndpoint's limit) is not refused as too large",
                  INVOKE_ENDPOINT_PAGE)
    READ_ONLY_MODEL = ("serve.read-only-model",
                       "serves with /opt/ml/model read-only, as endpoints mount it",
                       f"{INFERENCE_PAGE}#your-algorithms-inference-code-load-artifacts")
    SERVE_STOPS = ("serve.sigterm",
                   "SIGTERM ends serving within 30 s (then SageMaker sends SIGKILL)",
                   INFERENCE_PAGE)
    MULTI_MODEL_API = ("serve.multi-model",
                       "with SAGEMAKER_MULTI_MODEL=true: load (POST /models), list "
                       "(GET /models), invoke (POST /models/NAME/invoke), unload "
                       "(DELETE /models/NAME)", MULTI_MODEL_API_PAGE)

    def __init__(self, name: str, rule: str, source: str) -> None:
        self.id = name
        self.rule = rule
        self.source = source


class Status(enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class Finding:
    """What the check measured for one clause: the verdict and the figure behind it (for a
    SKIP, why it could not be measured)."""

    clause: Clause
    status: Status
    measured: str


def passed(clause: Clause, measured: str) -> Finding:
    return Finding(clause, Status.PASS, measured)


def failed(clause: Clause, measured: str) -> Finding:
    return Finding(clause, Status.FAIL, measured)


def skipped(clause: Clause, reason: str) -> Finding:
    return Finding(clause, Status.SKIP, reason)


def judged(clause: Clause, ok: bool, measured: str) -> Finding:
    """PASS or FAIL as ``ok`` says, with the same figure either way."""
    return Finding(clause, Status.PASS if ok else Status.FAIL, measured)

"""moto 5.2's SageMaker completed where the deploy tests need it, in the moto server that runs
in this test process (ThreadedMotoServer); and moto's request recorder, to see what byoc sent
where moto's describe calls do not return it.

Each addition behaves as SageMaker documents it:

- UpdateEndpoint, which moto lacks: an unknown endpoint or endpoint config is refused; the
  endpoint is Updating, and at the next DescribeEndpoint InService with the new config.
- CreateModel, CreateEndpointConfig and CreateEndpoint refuse a name in use (moto silently
  replaces the old resource).
- Job lifecycles: moto's training jobs are Completed as soon as they are created;
  ``script_training_job(name, states)`` gives the job of that name one state per
  DescribeTrainingJob instead, e.g. ending Failed with a FailureReason.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobState:
    status: str
    secondary: str
    message: str | None = None
    failure_reason: str | None = None


_training_scripts: dict[str, list[JobState]] = {}
_endpoint_statuses: dict[str, list[str]] = {}
_installed = False


def complete_sagemaker() -> None:
    """Add the above to moto's SageMaker (once per process)."""
    global _installed
    if _installed:
        return
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    def refuse_existing(kind: str, create: Callable[..., Any],
                        existing: Callable[[Any], dict[str, Any]],
                        name_param: str) -> Callable[..., Any]:
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            name = kwargs[name_param]
            if name in existing(self):
                raise ValidationError(message=f'Cannot create already existing {kind} '
                                              f'"{name}".')
            return create(self, *args, **kwargs)

        return checked

    backend = SageMakerModelBackend
    backend.create_model = refuse_existing(
        "model", backend.create_model, lambda b: b._models, "model_name")
    backend.create_endpoint_config = refuse_existing(
        "endpoint configuration", backend.create_endpoint_config,
        lambda b: b.endpoint_configs, "endpoint_config_name")
    backend.create_endpoint = refuse_existing(
        "endpoint", backend.create_endpoint, lambda b: b.endpoints, "endpoint_name")

    def update_endpoint(self: SageMakerResponse) -> ActionResult:
        backend = self.sagemaker_backend
        name = self._get_param("EndpointName")
        config = backend.describe_endpoint_config(self._get_param("EndpointConfigName"))
        backend.describe_endpoint(name)  # refuses an unknown endpoint as SageMaker does
        found = backend.endpoints[name]
        found.endpoint_config_name = config["EndpointConfigName"]
        found.production_variants = found._process_production_variants(
            config["ProductionVariants"])
        found.data_capture_config = config.get("DataCaptureConfig")
        found.endpoint_status = "Updating"
        _endpoint_statuses[name] = ["InService"]
        return ActionResult({"EndpointArn": found.arn})

    SageMakerResponse.update_endpoint = update_endpoint

    describe_endpoint = SageMakerModelBackend.describe_endpoint

    def scripted_endpoint(self: Any, endpoint_name: str) -> dict[str, Any]:
        answer = describe_endpoint(self, endpoint_name)
        pending = _endpoint_statuses.get(endpoint_name)
        if pending:
            self.endpoints[endpoint_name].endpoint_status = pending.pop(0)
        return answer

    SageMakerModelBackend.describe_endpoint = scripted_endpoint

    describe_training_job = SageMakerModelBackend.describe_training_job

    def scripted_training_job(self: Any, training_job_name: str) -> dict[str, Any]:
        script = _training_scripts.get(training_job_name)
        job = self.training_jobs.get(training_job_name)
        if script and job is not None:
            state = script.pop(0)
            job.training_job_status = state.status
            job.secondary_status = state.secondary
            job.secondary_status_transitions.append(
                {"Status": state.secondary, "StatusMessage": state.message or ""})
            if state.failure_reason is not None:
                job.failure_reason = state.failure_reason
        return describe_training_job(self, training_job_name)

    SageMakerModelBackend.describe_training_job = scripted_training_job
    _installed = True


def script_training_job(name: str, states: list[JobState]) -> None:
    """The training job ``name`` (created later by byoc) goes through ``states``, one per
    DescribeTrainingJob; it stays in the last."""
    _training_scripts[name] = list(states)


@dataclass(frozen=True)
class RecordedRequest:
    #: The API's X-Amz-Target: ``SageMaker.CreateTrainingJob``.
    target: str
    body: dict[str, Any]

    @property
    def operation(self) -> str:
        return self.target.rsplit(".", 1)[-1]


class Recording:
    """The requests the moto server received since ``start``, through moto's recorder."""

    def __init__(self) -> None:
        from moto.moto_api import recorder

        self._recorder = recorder

    def clear(self) -> None:
        """Forget what was recorded (this creates the recording's file)."""
        self._recorder.reset_recording()

    def start(self) -> None:
        self.clear()
        self._recorder.start_recording()

    def stop(self) -> None:
        self._recorder.stop_recording()

    def requests(self) -> list[RecordedRequest]:
        recorded = []
        for line in self._recorder.download_recording().splitlines():
            entry = json.loads(line)
            body = entry["body"]
            if entry["body_encoded"]:
                body = base64.b64decode(body).decode()
            target = entry["headers"].get("X-Amz-Target", "")
            recorded.append(RecordedRequest(target, json.loads(body) if body else {}))
        return recorded

    def bodies(self, operation: str) -> list[dict[str, Any]]:
        """The request bodies of ``operation`` (``CreateTrainingJob``), in order."""
        return [r.body for r in self.requests() if r.operation == operation]

    def operations(self) -> list[str]:
        return [r.operation for r in self.requests()]

"""``byoc deploy endpoint`` and ``byoc deploy delete``: a real-time, serverless or
asynchronous endpoint, created or updated in place, and removed."""

from __future__ import annotations

from typing import Any

import click

from ...aws.api_calls import ApiCall
from ...aws.autoscaling import Autoscaling, deregister_call, scaled_variants
from ...aws.endpoints import (
    BUSY,
    DEFAULT_SERVERLESS_CONCURRENCY,
    FAILED,
    IN_SERVICE,
    MAX_SERVERLESS_CONCURRENCY,
    SERVERLESS_MEMORY_MB,
    Capacity,
    DataCapture,
    Endpoint,
    EndpointDeployment,
    Instances,
    Serverless,
    deletion_calls,
    endpoint_parts,
    find_endpoint,
    wait_until_settled,
)
from ...aws.models import SageMakerModel
from ...aws.naming import resource_name, timestamp
from ...aws.session import AwsApi
from ...errors import ByocError, InputError, log
from ..dev_options import one_line_errors, profile_option, region_option
from .options import (
    DEFAULT_INSTANCE_TYPE,
    S3_URI,
    aws_options,
    dry_run_option,
    environment_option,
    image_option,
    instance_type_option,
    model_data_option,
    role_option,
    waiting_options,
)
from .running import image_name, print_calls, send_all

#: SageMaker's own example target for invocations per instance per minute.
DEFAULT_TARGET_INVOCATIONS = 70.0
FULL_CAPTURE = 100


class MinMax(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.4
    """``MIN:MAX``, two whole numbers."""

    name = "min_max"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        low, colon, high = str(value).partition(":")
        if not (colon and low.isdigit() and high.isdigit()):
            self.fail(f"expected MIN:MAX, got {value!r}", param, ctx)
        return int(low), int(high)


@click.command()
@image_option
@role_option
@model_data_option
@environment_option
@click.option("--name", metavar="ENDPOINT", help="Endpoint name [default: the image name].")
@instance_type_option
@click.option("--instance-count", type=click.IntRange(min=1),
              help="[default: 1, or the --autoscale minimum]")
@click.option("--serverless-memory", type=click.Choice([str(m) for m in SERVERLESS_MEMORY_MB]),
              metavar="MB", help="Serverless Inference with this much memory (1024, 2048, "
                                 "... 6144) instead of instances.")
@click.option("--serverless-concurrency", type=click.IntRange(1, MAX_SERVERLESS_CONCURRENCY),
              metavar="N", help="With --serverless-memory: concurrent requests at most "
                                f"[default: {DEFAULT_SERVERLESS_CONCURRENCY}].")
@click.option("--async-output", type=S3_URI, metavar="S3_URI",
              help="Asynchronous inference: responses are written here.")
@click.option("--data-capture", type=S3_URI, metavar="S3_URI",
              help="Capture requests and responses to this S3 prefix.")
@click.option("--capture-percent", type=click.IntRange(1, 100), metavar="P",
              help="With --data-capture: the share of requests captured "
                   f"[default: {FULL_CAPTURE}].")
@click.option("--autoscale", type=MinMax(), metavar="MIN:MAX",
              help="Scale the instance count between MIN and MAX on invocations per "
                   "instance (Application Auto Scaling).")
@click.option("--target-invocations", type=click.FloatRange(min=0, min_open=True),
              metavar="N", help="With --autoscale: invocations per instance per minute to "
                                f"keep [default: {DEFAULT_TARGET_INVOCATIONS:g}].")
@waiting_options(default=True)
@aws_options
def endpoint(image: str, role_arn: str, model_data_url: str, environment: dict[str, str],
             name: str | None, instance_type: str | None, instance_count: int | None,
             serverless_memory: str | None, serverless_concurrency: int | None,
             async_output: str | None, data_capture: str | None, capture_percent: int | None,
             autoscale: tuple[int, int] | None, target_invocations: float | None, wait: bool,
             poll_seconds: float, dry_run: bool, region: str | None,
             profile: str | None) -> None:
    """Deploy a model to an endpoint: a new model and endpoint config (both named
    <endpoint>-<UTC time>), then CreateEndpoint, or UpdateEndpoint when the endpoint
    exists (it serves the old model until the new one is in service). With --autoscale it
    waits for the endpoint, then registers the scaling. Prints the endpoint name."""
    with one_line_errors():
        if target_invocations is not None and autoscale is None:
            raise InputError("--target-invocations needs --autoscale")
        if capture_percent is not None and data_capture is None:
            raise InputError("--capture-percent needs --data-capture")
        scaling = (Autoscaling(*autoscale, target_invocations or DEFAULT_TARGET_INVOCATIONS)
                   if autoscale is not None else None)
        capacity = _capacity(instance_type, instance_count, serverless_memory,
                             serverless_concurrency, scaling)
        capture = (DataCapture(data_capture, capture_percent or FULL_CAPTURE)
                   if data_capture is not None else None)
        endpoint_name = resource_name(name or image_name(image))
        model = SageMakerModel(resource_name(endpoint_name, timestamp()), image,
                               model_data_url, role_arn, environment)
        deployment = EndpointDeployment(endpoint_name, model, capacity, async_output, capture,
                                        scaling)

        api = AwsApi(region, profile)
        existing = find_endpoint(api, endpoint_name)
        calls = [model.create_call(), deployment.config_call()]
        if existing is not None:
            calls += _before_update(api, existing, keep_scaling=scaling is not None)
        calls.append(deployment.endpoint_call(update=existing is not None))
        if dry_run:
            print_calls([*calls, *deployment.scaling_calls()])
            return
        send_all(api, calls)
        click.echo(endpoint_name)
        if wait or scaling:
            _wait_until_serving(api, deployment, poll_seconds)
            send_all(api, deployment.scaling_calls())


@click.command()
@click.argument("name")
@click.option("--yes", is_flag=True, help="Delete without asking.")
@dry_run_option
@region_option
@profile_option
def delete(name: str, yes: bool, dry_run: bool, region: str | None,
           profile: str | None) -> None:
    """Delete the endpoint NAME with its endpoint config, its model(s) and its autoscaling.
    Configs and models of its earlier deployments stay."""
    with one_line_errors():
        api = AwsApi(region, profile)
        existing = find_endpoint(api, name)
        if existing is None:
            raise InputError(f"there is no endpoint {name}")
        parts = endpoint_parts(api, existing)
        calls = [*(deregister_call(name, v) for v in scaled_variants(api, name, parts.variants)),
                 *deletion_calls(name, parts)]
        if dry_run:
            print_calls(calls)
            return
        if not yes:
            click.confirm(f"Delete endpoint {name}, endpoint config {parts.config_name} and "
                          f"model {', '.join(parts.model_names)}?", abort=True, err=True)
        send_all(api, calls)


def _capacity(instance_type: str | None, instance_count: int | None,
              serverless_memory: str | None, serverless_concurrency: int | None,
              scaling: Autoscaling | None) -> Capacity:
    if serverless_memory is not None:
        if instance_type is not None or instance_count is not None:
            raise InputError("--serverless-memory replaces --instance-type and "
                             "--instance-count")
        return Serverless(int(serverless_memory),
                          serverless_concurrency or DEFAULT_SERVERLESS_CONCURRENCY)
    if serverless_concurrency is not None:
        raise InputError("--serverless-concurrency needs --serverless-memory")
    default_count = scaling.min_instances if scaling is not None else 1
    return Instances(instance_type or DEFAULT_INSTANCE_TYPE, instance_count or default_count)


def _before_update(api: AwsApi, existing: Endpoint, keep_scaling: bool) -> list[ApiCall]:
    """The calls an update needs first: none, or removing the variant's autoscaling, which
    SageMaker requires when the update changes what it scales."""
    if existing.status in BUSY:
        raise ByocError(f"endpoint {existing.name} is {existing.status}; SageMaker updates it "
                        f"once it is InService")
    if existing.status == FAILED:
        raise ByocError(f"endpoint {existing.name} failed ({existing.failure_reason}); "
                        f"SageMaker can only delete it: byoc deploy delete {existing.name}")
    parts = endpoint_parts(api, existing)
    scaled = scaled_variants(api, existing.name, parts.variants)
    if scaled and not keep_scaling:
        log(f"endpoint {existing.name} loses its autoscaling (give --autoscale to keep it)")
    return [deregister_call(existing.name, v) for v in scaled]


def _wait_until_serving(api: AwsApi, deployment: EndpointDeployment,
                        poll_seconds: float) -> None:
    name = deployment.endpoint_name
    settled = wait_until_settled(api, name, poll_seconds,
                                 lambda line: log(f"endpoint {name}: {line}"))
    if settled.status == IN_SERVICE and settled.config_name == deployment.config_name:
        return
    reason = settled.failure_reason or "SageMaker gives no reason"
    if settled.config_name != deployment.config_name:
        raise ByocError(f"endpoint {name} was not updated and still serves "
                        f"{settled.config_name}: {reason}")
    raise ByocError(f"endpoint {name} ended {settled.status}: {reason}")

"""SageMaker batch transform: a model run over every object under an S3 prefix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InputError
from .api_calls import ApiCall, Service

SplitType = Literal["None", "Line", "RecordIO", "TFRecord"]
BatchStrategy = Literal["MultiRecord", "SingleRecord"]
AssembleWith = Literal["None", "Line"]

#: SageMaker's limit on MaxPayloadInMB, and on MaxPayloadInMB × MaxConcurrentTransforms.
MAX_PAYLOAD_MB = 100


@dataclass(frozen=True)
class TransformJob:
    name: str
    model_name: str
    input_s3: str
    output_s3: str
    instance_type: str
    instance_count: int = 1
    content_type: str | None = None
    accept: str | None = None
    split_type: SplitType = "None"
    #: How output records are joined: by default, as the input was split.
    assemble_with: AssembleWith | None = None
    batch_strategy: BatchStrategy | None = None
    max_payload_mb: int | None = None
    max_concurrent: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_payload_mb is not None and not 0 <= self.max_payload_mb <= MAX_PAYLOAD_MB:
            raise InputError(f"max payload: {self.max_payload_mb} MB is not within "
                             f"0..{MAX_PAYLOAD_MB}")
        if (self.max_payload_mb and self.max_concurrent
                and self.max_payload_mb * self.max_concurrent > MAX_PAYLOAD_MB):
            raise InputError(
                f"max payload × concurrency is {self.max_payload_mb * self.max_concurrent} "
                f"MB; SageMaker allows at most {MAX_PAYLOAD_MB}")

    def create_call(self) -> ApiCall:
        data_input: dict[str, Any] = {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": self.input_s3}},
            "SplitType": self.split_type}
        if self.content_type is not None:
            data_input["ContentType"] = self.content_type
        output: dict[str, Any] = {
            "S3OutputPath": self.output_s3,
            "AssembleWith": self.assemble_with or ("Line" if self.split_type == "Line"
                                                   else "None")}
        if self.accept is not None:
            output["Accept"] = self.accept
        request: dict[str, Any] = {
            "TransformJobName": self.name, "ModelName": self.model_name,
            "TransformInput": data_input, "TransformOutput": output,
            "TransformResources": {"InstanceType": self.instance_type,
                                   "InstanceCount": self.instance_count}}
        if self.batch_strategy is not None:
            request["BatchStrategy"] = self.batch_strategy
        if self.max_payload_mb is not None:
            request["MaxPayloadInMB"] = self.max_payload_mb
        if self.max_concurrent is not None:
            request["MaxConcurrentTransforms"] = self.max_concurrent
        if self.environment:
            request["Environment"] = dict(self.environment)
        return ApiCall(Service.SAGEMAKER, "CreateTransformJob", request,
                       self.name)


def describe_transform_job_call(name: str) -> ApiCall:
    return ApiCall(Service.SAGEMAKER, "DescribeTransformJob", {"TransformJobName": name},
                   name)

"""Serving settings: the SAGEMAKER_* variables SageMaker (and users, through CreateModel)
set on an inference container, read once and checked, with byoc's own tuning knobs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..env_settings import boolean, integer, optional_integer
from ..model_artifacts import ArchiveLimits

MIB = 1024 * 1024
#: multi-model-server refuses port numbers from 32767 up.
MAX_PORT = 32766


@dataclass(frozen=True)
class ServingSettings:
    port: int = 8080
    #: Python workers per model; SageMaker's default is one per CPU (one in multi-model mode).
    workers: int = 1
    #: Per-request time limit in seconds (multi-model-server itself would count minutes).
    timeout_seconds: int = 60
    max_payload_bytes: int = 6 * MIB
    default_accept: str | None = None
    batch: bool = False
    multi_model: bool = False
    #: How long ``byoc serve`` waits for the model to load before giving up.
    startup_timeout_seconds: float = 600.0
    access_log: bool = False
    #: Extra JVM flags for the frontend (SAGEMAKER_MODEL_SERVER_VMARGS).
    jvm_options: tuple[str, ...] = ()
    #: How much a model.tar.gz may unpack to (BYOC_MAX_UNPACKED_MODEL_MB, BYOC_MAX_MODEL_FILES).
    archive_limits: ArchiveLimits = ArchiveLimits()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServingSettings:
        env = os.environ if environ is None else environ
        multi_model = boolean(env, "SAGEMAKER_MULTI_MODEL", False)
        timeout = optional_integer(env, "SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS")
        if timeout is None:
            timeout = integer(env, "SAGEMAKER_MODEL_SERVER_TIMEOUT", 60)
        return cls(
            port=integer(env, "SAGEMAKER_BIND_TO_PORT", 8080, maximum=MAX_PORT),
            workers=integer(env, "SAGEMAKER_MODEL_SERVER_WORKERS",
                         1 if multi_model else (os.cpu_count() or 1)),
            timeout_seconds=timeout,
            max_payload_bytes=integer(env, "SAGEMAKER_MAX_PAYLOAD_IN_MB", 6, maximum=100) * MIB,
            default_accept=env.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or None,
            batch=boolean(env, "SAGEMAKER_BATCH", False),
            multi_model=multi_model,
            startup_timeout_seconds=float(integer(env, "SAGEMAKER_STARTUP_TIMEOUT", 600)),
            access_log=boolean(env, "BYOC_ACCESS_LOG", False),
            jvm_options=tuple(env.get("SAGEMAKER_MODEL_SERVER_VMARGS", "").split()),
            archive_limits=_archive_limits(env),
        )


def _archive_limits(env: Mapping[str, str]) -> ArchiveLimits:
    megabytes = optional_integer(env, "BYOC_MAX_UNPACKED_MODEL_MB")
    return ArchiveLimits(
        max_bytes=None if megabytes is None else megabytes * MIB,
        max_members=integer(env, "BYOC_MAX_MODEL_FILES", ArchiveLimits.max_members))

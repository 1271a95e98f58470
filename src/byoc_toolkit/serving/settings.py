"""Serving settings: the SAGEMAKER_* variables SageMaker (and users, through CreateModel)
set on an inference container, read once and checked, with byoc's own tuning knobs."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from ..env_settings import SettingsError, boolean, choice, integer, optional_integer
from ..model_artifacts import ArchiveLimits

MIB = 1024 * 1024
#: multi-model-server refuses port numbers from 32767 up.
MAX_PORT = 32766
#: Asynchronous inference carries bodies up to 1 GB.
MAX_PAYLOAD_MB = 1024
#: SageMaker gives a container at most an hour to become healthy
#: (ContainerStartupHealthCheckTimeoutInSeconds).
MAX_STARTUP_TIMEOUT_SECONDS = 3600
#: A batch transform job's default InvocationsTimeoutInSeconds.
BATCH_TIMEOUT_SECONDS = 600
#: Responses may be larger than requests (batch transform returning probabilities): by
#: default up to this many times the payload limit.
RESPONSE_TO_PAYLOAD = 4
#: multi-model-server takes the response limit as a Java int.
MAX_RESPONSE_MB = 2047

#: How batch transform splits its input into requests (GET /execution-parameters).
BatchStrategy = Literal["MULTI_RECORD", "SINGLE_RECORD"]
#: ``text``: ``time level logger [inference id] message``; ``json``: one object a line.
LogFormat = Literal["text", "json"]
CLASS_ARCHIVE_ENV = "BYOC_FRONTEND_CLASS_ARCHIVE"


@dataclass(frozen=True)
class ServingSettings:
    port: int = 8080
    #: The address the server listens on: every interface in a container, as SageMaker needs;
    #: ``byoc local serve`` narrows it to loopback.
    host: str = "0.0.0.0"
    #: Python workers per model (SAGEMAKER_MODEL_SERVER_WORKERS); None leaves it to the
    #: runtime: one per CPU, one per GPU for a per-worker model on a machine with GPUs,
    #: one per model on a multi-model endpoint.
    workers: int | None = None
    #: Per-request time limit in seconds (multi-model-server itself would count minutes).
    timeout_seconds: int = 60
    max_payload_bytes: int = 6 * MIB
    #: The largest response a worker sends; a larger one is a 500 naming this limit.
    max_response_bytes: int = RESPONSE_TO_PAYLOAD * 6 * MIB
    default_accept: str | None = None
    batch: bool = False
    batch_strategy: BatchStrategy = "MULTI_RECORD"
    #: GET /execution-parameters' MaxConcurrentTransforms; None: the number of workers.
    max_concurrent_transforms: int | None = None
    multi_model: bool = False
    #: How long ``byoc serve`` waits for the model to load before giving up.
    startup_timeout_seconds: float = 600.0
    #: GPUs declared by BYOC_GPUS or SM_NUM_GPUS; None: ask nvidia-smi.
    gpus: int | None = None
    #: Seconds a client connection may stay idle between requests.
    idle_timeout_seconds: int = 75
    log_level: int = logging.INFO
    log_format: LogFormat = "text"
    access_log: bool = False
    #: Extra JVM flags for the frontend (SAGEMAKER_MODEL_SERVER_VMARGS).
    jvm_options: tuple[str, ...] = ()
    #: How much a model.tar.gz may unpack to (BYOC_MAX_UNPACKED_MODEL_MB, BYOC_MAX_MODEL_FILES).
    archive_limits: ArchiveLimits = ArchiveLimits()
    #: The frontend's class-data archive, made when the image was built (class_archive.py).
    class_archive: Path | None = None

    @property
    def local_address(self) -> str:
        """Where this machine reaches the server."""
        return "127.0.0.1" if self.host == "0.0.0.0" else self.host

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServingSettings:
        env = os.environ if environ is None else environ
        batch = boolean(env, "SAGEMAKER_BATCH", False)
        timeout = optional_integer(env, "SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS")
        if timeout is None:
            timeout = integer(env, "SAGEMAKER_MODEL_SERVER_TIMEOUT",
                              BATCH_TIMEOUT_SECONDS if batch else 60)
        payload_mb = integer(env, "SAGEMAKER_MAX_PAYLOAD_IN_MB", 6, maximum=MAX_PAYLOAD_MB)
        gpus = optional_integer(env, "BYOC_GPUS", minimum=0)
        return cls(
            port=integer(env, "SAGEMAKER_BIND_TO_PORT", 8080, maximum=MAX_PORT),
            workers=optional_integer(env, "SAGEMAKER_MODEL_SERVER_WORKERS"),
            timeout_seconds=timeout,
            max_payload_bytes=payload_mb * MIB,
            max_response_bytes=integer(env, "BYOC_MAX_RESPONSE_IN_MB",
                                       min(RESPONSE_TO_PAYLOAD * payload_mb, MAX_RESPONSE_MB),
                                       maximum=MAX_RESPONSE_MB) * MIB,
            default_accept=env.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or None,
            batch=batch,
            batch_strategy=choice(env, "SAGEMAKER_BATCH_STRATEGY", get_args(BatchStrategy)),
            max_concurrent_transforms=optional_integer(env, "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"),
            multi_model=boolean(env, "SAGEMAKER_MULTI_MODEL", False),
            startup_timeout_seconds=float(integer(env, "SAGEMAKER_STARTUP_TIMEOUT", 600,
                                                  maximum=MAX_STARTUP_TIMEOUT_SECONDS)),
            gpus=gpus if gpus is not None else optional_integer(env, "SM_NUM_GPUS", minimum=0),
            idle_timeout_seconds=integer(env, "BYOC_IDLE_TIMEOUT_SECONDS", 75),
            log_level=_log_level(env),
            log_format=choice(env, "BYOC_LOG_FORMAT", get_args(LogFormat)),
            access_log=boolean(env, "BYOC_ACCESS_LOG", False),
            jvm_options=tuple(env.get("SAGEMAKER_MODEL_SERVER_VMARGS", "").split()),
            archive_limits=_archive_limits(env),
            class_archive=Path(env[CLASS_ARCHIVE_ENV]) if env.get(CLASS_ARCHIVE_ENV) else None,
        )


def _archive_limits(env: Mapping[str, str]) -> ArchiveLimits:
    megabytes = optional_integer(env, "BYOC_MAX_UNPACKED_MODEL_MB")
    return ArchiveLimits(
        max_bytes=None if megabytes is None else megabytes * MIB,
        max_members=integer(env, "BYOC_MAX_MODEL_FILES", ArchiveLimits.max_members))


def _log_level(env: Mapping[str, str]) -> int:
    """BYOC_LOG_LEVEL, else SAGEMAKER_CONTAINER_LOG_LEVEL (which SageMaker's toolkits read as a
    number, logging.INFO = 20); each may be a number or a standard level name."""
    for name in ("BYOC_LOG_LEVEL", "SAGEMAKER_CONTAINER_LOG_LEVEL"):
        raw = env.get(name, "").strip().upper()
        if not raw:
            continue
        if raw.isdigit():
            return int(raw)
        level = logging.getLevelName(raw)
        if isinstance(level, int):
            return level
        raise SettingsError(f"{name}: expected a level (DEBUG, INFO, WARNING, ERROR, "
                            f"CRITICAL or a number), got {raw!r}")
    return logging.INFO

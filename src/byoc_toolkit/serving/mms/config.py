"""The files and command line that start multi-model-server's Java frontend for byoc.

byoc starts the JVM itself instead of through MMS's ``multi-model-server`` launcher: that
launcher keeps a PID file in the temp dir, detaches the JVM, and takes no JVM flags.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError
from ..settings import MIB, ServingSettings

MMS_MAIN_CLASS = "com.amazonaws.ml.mms.ModelServer"
SINGLE_MODEL_NAME = "model"
#: multi-model-server requires a handler name for every model (it passes it to the worker as
#: --handler and puts its directory on PYTHONPATH); byoc's worker serves the program instead
#: and ignores it, so the name only has to be there.
HANDLER_PLACEHOLDER = "byoc"
WORKER_EXECUTABLE = "byoc-mms-worker"
#: Responses may be larger than requests (batch transform with probabilities).
MAX_RESPONSE_BYTES = 100 * MIB
FRONTEND_TIMEOUT_MARGIN = 5


class JavaNotFound(InputError):
    """No Java runtime for multi-model-server's front end."""


@dataclass(frozen=True)
class RunDir:
    """Everything one ``byoc serve`` writes, under one temporary directory."""

    root: Path

    @property
    def properties(self) -> Path:
        return self.root / "mms.properties"

    @property
    def log_config(self) -> Path:
        return self.root / "log4j2.xml"

    @property
    def tmp(self) -> Path:
        # Worker sockets and log FIFOs live here; one per server keeps two servers apart.
        return self.root / "tmp"

    @property
    def status(self) -> Path:
        return self.root / "status"

    @property
    def management_socket(self) -> Path:
        return self.root / "management.sock"

    def create(self) -> RunDir:
        for directory in (self.tmp, self.status):
            directory.mkdir(parents=True, exist_ok=True)
        return self


def properties(settings: ServingSettings, run: RunDir, model_dir: Path | None) -> str:
    """config.properties for multi-model-server."""
    inference = f"http://0.0.0.0:{settings.port}"
    # A multi-model endpoint takes SageMaker's /models calls on the serving port; a
    # single-model server keeps its management API off the network.
    management = inference if settings.multi_model else f"unix:{run.management_socket}"
    lines = {
        "inference_address": inference,
        "management_address": management,
        "model_store": "/",
        "default_service_handler": HANDLER_PLACEHOLDER,
        "default_workers_per_model": settings.workers,
        "preload_model": "true",
        "decode_input_request": "false",
        # The worker answers 504 at the limit itself; the frontend's limit is the fallback
        # for a worker stuck where no signal reaches Python.
        "default_response_timeout_seconds": settings.timeout_seconds + FRONTEND_TIMEOUT_MARGIN,
        "unregister_model_timeout": settings.timeout_seconds,
        # The worker refuses bodies over the limit with a JSON message; the frontend's own
        # 413 (for bodies too large to pass on at all) has an empty body.
        "max_request_size": 2 * settings.max_payload_bytes,
        "max_response_size": max(MAX_RESPONSE_BYTES, settings.max_payload_bytes),
        "async_logging": "true",
        # MMS would start a Python process every minute to sample system metrics.
        "metric_time_interval": 2**31 - 1,
    }
    if model_dir is not None:
        lines["load_models"] = f"{SINGLE_MODEL_NAME}={model_dir}"
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def log_config(settings: ServingSettings) -> str:
    """log4j2 configuration: the frontend's warnings and each worker's own output to stdout,
    without MMS's per-request INFO lines (they cost throughput) unless the access log is on."""
    access = "INFO" if settings.access_log else "OFF"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Configuration>
  <Appenders>
    <Console name="STDOUT" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{{ISO8601}} [%-5p] %t %c{{1}} - %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="WARN"><AppenderRef ref="STDOUT"/></Root>
    <Logger name="com.amazonaws.ml.mms.ModelServer" level="INFO"/>
    <Logger name="com.amazonaws.ml.mms.wlm.WorkerLifeCycle" level="INFO"/>
    <Logger name="ACCESS_LOG" level="{access}"/>
    <Logger name="MMS_METRICS" level="OFF"/>
    <Logger name="MODEL_METRICS" level="OFF"/>
    <Logger name="MODEL_LOG" level="OFF"/>
    <Logger name="io.netty" level="ERROR"/>
    <Logger name="org.apache" level="OFF"/>
  </Loggers>
</Configuration>
"""


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    candidate = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not candidate or not os.access(candidate, os.X_OK):
        raise JavaNotFound("java not found: multi-model-server needs a Java runtime "
                           "(e.g. Debian's openjdk-17-jre-headless) on PATH or in JAVA_HOME")
    return candidate


def worker_executable() -> str:
    sibling = Path(sys.executable).with_name(WORKER_EXECUTABLE)
    found = str(sibling) if sibling.exists() else shutil.which(WORKER_EXECUTABLE)
    if not found:
        raise InputError(f"{WORKER_EXECUTABLE} not found next to {sys.executable} or "
                                "on PATH; is byoc-toolkit installed in this environment?")
    return found


def mms_home() -> Path:
    """The directory that holds the ``mms`` package (and its frontend jar)."""
    import importlib.util

    spec = importlib.util.find_spec("mms")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("multi-model-server is not installed")
    return Path(next(iter(spec.submodule_search_locations))).parent


def heap_megabytes(settings: ServingSettings) -> int:
    """Enough heap for every worker's request and response in flight twice over, plus the
    frontend itself; at most a quarter of the machine's memory."""
    request_cap = 2 * settings.max_payload_bytes  # as max_request_size above
    wanted = 128 + 2 * request_cap * (settings.workers + 2) // MIB
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // MIB
    return max(128, min(wanted, physical // 4))


def jvm_options(settings: ServingSettings) -> list[str]:
    """The frontend's JVM flags; SAGEMAKER_MODEL_SERVER_VMARGS come last and win."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        # The JVM's own count can be one under container CPU shares; Netty sizes its
        # thread pools from it.
        f"-XX:ActiveProcessorCount={cpus}",
        # The defaults (G1, a quarter of RAM as heap) let the frontend grow to several
        # hundred MiB after a few large bodies; measured in bench/ (README, Performance).
        "-XX:+UseSerialGC",
        "-Xms32m",
        f"-Xmx{heap_megabytes(settings)}m",
        "-XX:MinHeapFreeRatio=10",
        "-XX:MaxHeapFreeRatio=30",
        # Netty's pooled arenas keep 16 MiB chunks per thread after one large body.
        "-Dio.netty.allocator.type=unpooled",
        *settings.jvm_options,
    ]


def java_command(settings: ServingSettings, run: RunDir) -> list[str]:
    home = mms_home()
    return [
        java_executable(),
        f"-Dmodel_server_home={home}",
        f"-Djava.io.tmpdir={run.tmp}",
        f"-Dlog4j.configurationFile=file://{run.log_config}",
        *jvm_options(settings),
        "-cp", f"{home}/mms/frontend/*",
        MMS_MAIN_CLASS,
        "--python", worker_executable(),
        "-f", str(run.properties),
    ]

"""The files and command line that start multi-model-server's Java frontend for byoc, and the
memory it gets.

byoc starts the JVM itself instead of through MMS's ``multi-model-server`` launcher: that
launcher keeps a PID file in the temp dir, detaches the JVM, and takes no JVM flags.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from ...errors import InputError
from .. import logs
from ..settings import MIB, ServingSettings
from . import connector, multi_model

MMS_MAIN_CLASS = "com.amazonaws.ml.mms.ModelServer"
#: multi-model-server's ModelServer with byoc's handlers on each connection (java/).
PLUGIN_MAIN_CLASS = "byoc.mms.ByocModelServer"
SINGLE_MODEL_NAME = "model"
#: multi-model-server requires a handler name for every model (it passes it to the worker as
#: --handler and puts its directory on PYTHONPATH); byoc's connector ignores it, so the name
#: only has to be there.
HANDLER_PLACEHOLDER = "byoc"
FRONTEND_TIMEOUT_MARGIN = 5
#: Netty takes sizes as Java ints.
MAX_JAVA_INT = 2**31 - 1
#: The front end's heap besides requests and responses.
HEAP_BASE_MB = 128
#: Heap a request takes while the front end holds it: its bytes and the copy for the worker.
REQUEST_HEAP_FACTOR = 2
#: Heap a response takes while the front end reads it from the worker and writes it out
#: (measured: an 80 MB response fails with -Xmx192m and is served with -Xmx256m).
RESPONSE_HEAP_FACTOR = 3
#: Room for the worker protocol's framing and headers around a response body.
RESPONSE_FRAMING_BYTES = 1 * MIB


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
        # The front end's temp dir: model sockets live here; one per server keeps two
        # servers apart.
        return self.root / "tmp"

    @property
    def control_socket(self) -> Path:
        return self.root / "control.sock"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def connector(self) -> Path:
        """The "python" multi-model-server runs for each model (see connector.py)."""
        return self.root / "connector"

    @property
    def management_socket(self) -> Path:
        return self.root / "management.sock"

    def create(self) -> RunDir:
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.connector.write_text(
            f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -I -S "
            f"{shlex.quote(connector.__file__)} \"$@\"\n")
        self.connector.chmod(0o755)
        return self


@dataclass(frozen=True)
class FrontEnd:
    """How the front end runs: its worker count, heap, the responses that heap carries, and
    whether byoc's plugin is on its class path."""

    workers: int
    heap_mb: int
    max_response_bytes: int
    plugin_jar: Path | None

    @classmethod
    def sized(cls, settings: ServingSettings, workers: int,
              plugin_jar: Path | None) -> FrontEnd:
        """Heap for every worker's request and response in flight (requests twice over: some
        wait in the queue), at most a quarter of the machine's memory; the response limit
        lowered to what that heap carries."""
        requests = REQUEST_HEAP_FACTOR * max_request_bytes(settings) * (workers + 2)
        responses = RESPONSE_HEAP_FACTOR * settings.max_response_bytes * workers
        physical_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // MIB
        heap_mb = max(HEAP_BASE_MB, min(HEAP_BASE_MB + (requests + responses) // MIB,
                                        physical_mb // 4))
        room = (heap_mb - HEAP_BASE_MB) * MIB - requests
        carried = max(MIB, min(settings.max_response_bytes,
                               room // (RESPONSE_HEAP_FACTOR * workers)) // MIB * MIB)
        return cls(workers, heap_mb, carried, plugin_jar)


def max_request_bytes(settings: ServingSettings) -> int:
    """The front end's own request limit (413 above it): twice the payload limit, so that
    the worker answers bodies in between with a message naming the setting."""
    return min(2 * settings.max_payload_bytes, MAX_JAVA_INT)


def execution_parameters(settings: ServingSettings, workers: int) -> dict[str, object]:
    """GET /execution-parameters for batch transform."""
    return {"MaxConcurrentTransforms": settings.max_concurrent_transforms or workers,
            "BatchStrategy": settings.batch_strategy,
            "MaxPayloadInMB": settings.max_payload_bytes // MIB}


def properties(settings: ServingSettings, run: RunDir, frontend: FrontEnd,
               model_dir: Path | None) -> str:
    """config.properties for multi-model-server (and byoc's plugin: the byoc_* keys)."""
    inference = f"http://{settings.host}:{settings.port}"
    # A multi-model endpoint takes SageMaker's /models calls on the serving port; a
    # single-model server keeps its management API off the network.
    management = inference if settings.multi_model else f"unix:{run.management_socket}"
    lines = {
        "inference_address": inference,
        "management_address": management,
        "model_store": "/",
        "default_service_handler": HANDLER_PLACEHOLDER,
        "default_workers_per_model": frontend.workers,
        # byoc assigns GPUs to its workers; MMS would ask nvidia-smi for its own count.
        "number_of_gpu": 0,
        "decode_input_request": "false",
        # The worker answers 504 at the limit itself; the frontend's limit is the fallback
        # for a worker stuck where no signal reaches Python.
        "default_response_timeout_seconds": settings.timeout_seconds + FRONTEND_TIMEOUT_MARGIN,
        "unregister_model_timeout": settings.timeout_seconds,
        "max_request_size": max_request_bytes(settings),
        "max_response_size": min(frontend.max_response_bytes + RESPONSE_FRAMING_BYTES,
                                 MAX_JAVA_INT),
        "async_logging": "true",
        # MMS would start a Python process every minute to sample system metrics.
        "metric_time_interval": 2**31 - 1,
        "byoc_state_file": run.state_file,
        "byoc_idle_timeout_seconds": settings.idle_timeout_seconds,
        "byoc_execution_parameters": json.dumps(
            execution_parameters(settings, frontend.workers)),
        "byoc_model_name_pattern": multi_model.NAME_PATTERN,
        "byoc_model_name_rule": multi_model.NAME_RULE,
    }
    if model_dir is not None:
        lines["load_models"] = f"{SINGLE_MODEL_NAME}={model_dir}"
    # java.util.Properties reads a backslash as an escape.
    return "".join(f"{key}={str(value)}\n".replace("\\", "\\\\")
                   for key, value in lines.items())


def log_config(settings: ServingSettings) -> str:
    """log4j2 configuration: the front end's warnings to stdout in byoc's log format, without
    MMS's per-request INFO lines (they cost throughput) unless the access log is on."""
    access = "INFO" if settings.access_log else "OFF"
    root = "WARN" if settings.log_level <= logging.WARNING else logging.getLevelName(
        settings.log_level).replace("CRITICAL", "FATAL")
    startup = "INFO" if settings.log_level <= logging.INFO else root
    layout = escape(logs.log4j_layout(settings), {'"': "&quot;"})
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Configuration>
  <Appenders>
    <Console name="STDOUT" target="SYSTEM_OUT">
      <PatternLayout pattern="{layout}"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="{root}"><AppenderRef ref="STDOUT"/></Root>
    <Logger name="com.amazonaws.ml.mms.ModelServer" level="{startup}"/>
    <Logger name="ACCESS_LOG" level="{access}"/>
    <Logger name="MMS_METRICS" level="OFF"/>
    <Logger name="MODEL_METRICS" level="OFF"/>
    <Logger name="MODEL_LOG" level="OFF"/>
    <Logger name="com.amazonaws.ml.mms.metrics" level="OFF"/>
    <Logger name="com.amazonaws.ml.mms.wlm.WorkerLifeCycle" level="ERROR"/>
    <Logger name="io.netty" level="ERROR"/>
    <Logger name="org.apache" level="OFF"/>
  </Loggers>
</Configuration>
"""


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if not os.access(candidate, os.X_OK):
            raise JavaNotFound(f"JAVA_HOME is {java_home}, which has no bin/java: "
                               "multi-model-server needs a Java runtime >= 17")
        return str(candidate)
    found = shutil.which("java")
    if found is None:
        raise JavaNotFound("java not found on PATH: multi-model-server needs a Java runtime "
                           ">= 17 (Debian: apt-get install default-jre-headless)")
    return found


def mms_home() -> Path:
    """The directory that holds the ``mms`` package (and its frontend jar)."""
    import importlib.util

    spec = importlib.util.find_spec("mms")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("multi-model-server is not installed")
    return Path(next(iter(spec.submodule_search_locations))).parent


def mms_jar() -> Path:
    return mms_home() / "mms" / "frontend" / "model-server.jar"


def jvm_options(settings: ServingSettings, frontend: FrontEnd) -> list[str]:
    """The frontend's JVM flags; SAGEMAKER_MODEL_SERVER_VMARGS come last and win."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        # The JVM's own count can be one under container CPU shares; Netty sizes its
        # thread pools from it.
        f"-XX:ActiveProcessorCount={cpus}",
        # The defaults (G1, a quarter of RAM as heap) let the frontend grow to several
        # hundred MiB after a few large bodies; measured in bench/ (docs/benchmark.md).
        "-XX:+UseSerialGC",
        "-Xms32m",
        f"-Xmx{frontend.heap_mb}m",
        "-XX:MinHeapFreeRatio=10",
        "-XX:MaxHeapFreeRatio=30",
        # Netty's pooled arenas keep 16 MiB chunks per thread after one large body.
        "-Dio.netty.allocator.type=unpooled",
        *([f"-XX:SharedArchiveFile={settings.class_archive}"] if settings.class_archive else []),
        *settings.jvm_options,
    ]


def java_command(settings: ServingSettings, run: RunDir, frontend: FrontEnd) -> list[str]:
    class_path = [str(mms_jar())]
    main_class = MMS_MAIN_CLASS
    if frontend.plugin_jar is not None:
        class_path.append(str(frontend.plugin_jar))
        main_class = PLUGIN_MAIN_CLASS
    return [
        java_executable(),
        f"-Dmodel_server_home={mms_home()}",
        f"-Djava.io.tmpdir={run.tmp}",
        f"-Dlog4j.configurationFile=file://{run.log_config}",
        *jvm_options(settings, frontend),
        "-cp", os.pathsep.join(class_path),
        main_class,
        "--python", str(run.connector),
        "-f", str(run.properties),
    ]

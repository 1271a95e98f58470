"""The front end's configuration: properties for multi-model-server and byoc's plugin, its
heap and the response limit that heap carries, log4j, multi-model name rules."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from byoc_toolkit.serving.mms import config, multi_model
from byoc_toolkit.serving.mms.config import FrontEnd, RunDir
from byoc_toolkit.serving.settings import MIB, ServingSettings


def properties(text: str) -> dict[str, str]:
    """Read back as java.util.Properties does (a backslash escapes the next character)."""
    lines = (line.split("=", 1) for line in text.splitlines())
    return {key: re.sub(r"\\(.)", r"\1", value) for key, value in lines}


def test_properties_carry_limits_and_what_the_plugin_needs(tmp_path):
    settings = ServingSettings.from_env({"SAGEMAKER_MAX_PAYLOAD_IN_MB": "10",
                                         "SAGEMAKER_BATCH_STRATEGY": "SINGLE_RECORD"})
    run = RunDir(tmp_path)
    frontend = FrontEnd.sized(settings, 3, None)
    written = properties(config.properties(settings, run, frontend, Path("/opt/ml/model")))
    assert written["default_workers_per_model"] == "3"
    assert written["max_request_size"] == str(20 * MIB)
    assert written["max_response_size"] == str(frontend.max_response_bytes + MIB)
    assert written["load_models"] == "model=/opt/ml/model"
    assert written["number_of_gpu"] == "0"
    assert written["byoc_state_file"] == str(run.state_file)
    assert written["byoc_execution_parameters"] == (
        '{"MaxConcurrentTransforms": 3, "BatchStrategy": "SINGLE_RECORD", "MaxPayloadInMB": 10}')
    assert written["byoc_model_name_pattern"] == multi_model.NAME_PATTERN
    multi = dataclasses.replace(settings, multi_model=True)
    assert "load_models" not in properties(config.properties(multi, run, frontend, None))


def test_a_1024_mb_payload_limit_fits_java_ints():
    settings = ServingSettings.from_env({"SAGEMAKER_MAX_PAYLOAD_IN_MB": "1024"})
    assert config.max_request_bytes(settings) == 2**31 - 1


def test_the_heap_carries_the_response_limit():
    settings = ServingSettings.from_env({"BYOC_MAX_RESPONSE_IN_MB": "100"})
    frontend = FrontEnd.sized(settings, 2, None)
    assert frontend.max_response_bytes == 100 * MIB
    assert frontend.heap_mb >= 128 + 3 * 100 * 2
    default = FrontEnd.sized(ServingSettings.from_env({}), 2, None)
    assert default.max_response_bytes == 24 * MIB and default.heap_mb < frontend.heap_mb


def test_a_heap_capped_by_memory_lowers_the_response_limit(monkeypatch):
    physical = 1024 * MIB  # a quarter: 256 MiB of heap
    monkeypatch.setattr(config.os, "sysconf", lambda name: {
        "SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": physical // 4096}[name])
    settings = ServingSettings.from_env({"BYOC_MAX_RESPONSE_IN_MB": "100"})
    frontend = FrontEnd.sized(settings, 2, None)
    assert frontend.heap_mb == 256
    requests = 2 * 12 * MIB * 4
    assert frontend.max_response_bytes == (128 * MIB - requests) // 6 // MIB * MIB


def test_log4j_writes_json_lines_when_asked():
    text = config.log_config(ServingSettings.from_env({"BYOC_LOG_FORMAT": "json"}))
    assert "%enc{%m%ex}{JSON}" in text and "&quot;level&quot;" in text
    quiet = config.log_config(ServingSettings.from_env({"BYOC_LOG_LEVEL": "ERROR"}))
    assert '<Root level="ERROR">' in quiet


def test_model_names_that_cannot_be_routed_are_refused(tmp_path):
    root = tmp_path / "models"
    (root / "m").mkdir(parents=True)
    fine = str(root / "m")
    assert multi_model.refusal("-starts-with-dash", fine, root) is None
    assert multi_model.refusal("spaces and ünïcode", fine, root) is None
    for name in ("a/b", ".", "..", "", "tab\there"):
        refusal = multi_model.refusal(name, fine, root)
        assert refusal is not None and refusal.startswith(f"model name {name!r}")
    assert "outside the multi-model root" in str(multi_model.refusal("m", "/etc", root))
    assert "outside" in str(multi_model.refusal("m", f"{root}/../../etc", root))

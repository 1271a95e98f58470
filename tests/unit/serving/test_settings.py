"""Serving settings read from the SAGEMAKER_* and BYOC_* variables."""

from __future__ import annotations

import logging

import pytest

from byoc_toolkit.env_settings import SettingsError
from byoc_toolkit.serving.settings import MIB, ServingSettings


def settings(**env: str) -> ServingSettings:
    return ServingSettings.from_env(env)


def test_defaults():
    s = settings()
    assert (s.workers, s.timeout_seconds, s.max_payload_bytes) == (None, 60, 6 * MIB)
    assert s.max_response_bytes == 24 * MIB  # four times the payload limit
    assert (s.batch, s.batch_strategy, s.max_concurrent_transforms) == (False, "MULTI_RECORD",
                                                                       None)
    assert (s.startup_timeout_seconds, s.gpus, s.idle_timeout_seconds) == (600, None, 75)
    assert (s.log_level, s.log_format) == (logging.INFO, "text")


def test_batch_is_read_in_any_case_and_gives_the_batch_time_limit():
    assert settings(SAGEMAKER_BATCH="True").batch
    assert settings(SAGEMAKER_BATCH="True").timeout_seconds == 600
    assert settings(SAGEMAKER_BATCH="TRUE", SAGEMAKER_MODEL_SERVER_TIMEOUT="30") \
        .timeout_seconds == 30
    assert settings(SAGEMAKER_BATCH="false").timeout_seconds == 60


def test_payload_up_to_1024_mb_and_responses_follow():
    s = settings(SAGEMAKER_MAX_PAYLOAD_IN_MB="1024")
    assert s.max_payload_bytes == 1024 * MIB and s.max_response_bytes == 2047 * MIB
    assert settings(SAGEMAKER_MAX_PAYLOAD_IN_MB="256").max_response_bytes == 1024 * MIB
    assert settings(BYOC_MAX_RESPONSE_IN_MB="100").max_response_bytes == 100 * MIB
    with pytest.raises(SettingsError, match="SAGEMAKER_MAX_PAYLOAD_IN_MB: expected an "
                                            "integer between 1 and 1024, got 1025"):
        settings(SAGEMAKER_MAX_PAYLOAD_IN_MB="1025")


def test_startup_timeout_up_to_an_hour():
    assert settings(SAGEMAKER_STARTUP_TIMEOUT="3600").startup_timeout_seconds == 3600
    with pytest.raises(SettingsError, match="SAGEMAKER_STARTUP_TIMEOUT"):
        settings(SAGEMAKER_STARTUP_TIMEOUT="3601")


def test_gpus_from_the_override_else_sagemaker():
    assert settings(SM_NUM_GPUS="4").gpus == 4
    assert settings(SM_NUM_GPUS="4", BYOC_GPUS="2").gpus == 2
    assert settings(BYOC_GPUS="0").gpus == 0
    with pytest.raises(SettingsError, match="BYOC_GPUS: expected an integer at least 0"):
        settings(BYOC_GPUS="-1")


def test_execution_parameter_overrides():
    s = settings(SAGEMAKER_BATCH_STRATEGY="single_record",
                 SAGEMAKER_MAX_CONCURRENT_TRANSFORMS="3")
    assert (s.batch_strategy, s.max_concurrent_transforms) == ("SINGLE_RECORD", 3)
    with pytest.raises(SettingsError, match="SAGEMAKER_BATCH_STRATEGY: expected one of "
                                            "MULTI_RECORD, SINGLE_RECORD, got 'LINE'"):
        settings(SAGEMAKER_BATCH_STRATEGY="LINE")


@pytest.mark.parametrize("env, level", [
    ({"SAGEMAKER_CONTAINER_LOG_LEVEL": "10"}, logging.DEBUG),
    ({"SAGEMAKER_CONTAINER_LOG_LEVEL": "40"}, logging.ERROR),
    ({"BYOC_LOG_LEVEL": "warning"}, logging.WARNING),
    ({"BYOC_LOG_LEVEL": "DEBUG", "SAGEMAKER_CONTAINER_LOG_LEVEL": "40"}, logging.DEBUG),
])
def test_log_level(env, level):
    assert settings(**env).log_level == level


def test_log_settings_name_the_variable():
    with pytest.raises(SettingsError, match="BYOC_LOG_LEVEL: expected a level"):
        settings(BYOC_LOG_LEVEL="LOUD")
    with pytest.raises(SettingsError, match="BYOC_LOG_FORMAT: expected one of text, json"):
        settings(BYOC_LOG_FORMAT="xml")
    assert settings(BYOC_LOG_FORMAT="JSON").log_format == "json"

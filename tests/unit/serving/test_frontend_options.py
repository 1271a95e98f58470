"""The front end's address and JVM flags as byoc's settings shape them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from byoc_toolkit.serving.mms import config
from byoc_toolkit.serving.settings import ServingSettings


def frontend(settings: ServingSettings) -> config.FrontEnd:
    return config.FrontEnd.sized(settings, 1, None)


def properties(settings: ServingSettings, tmp_path: Path) -> dict[str, str]:
    text = config.properties(settings, config.RunDir(tmp_path), frontend(settings), None)
    return dict(line.split("=", 1) for line in text.splitlines())


def test_the_front_end_listens_on_every_interface_unless_told(tmp_path):
    default = ServingSettings.from_env({"SAGEMAKER_BIND_TO_PORT": "9090"})
    local = dataclasses.replace(default, host="127.0.0.1")

    assert properties(default, tmp_path)["inference_address"] == "http://0.0.0.0:9090"
    assert properties(local, tmp_path)["inference_address"] == "http://127.0.0.1:9090"
    assert default.local_address == local.local_address == "127.0.0.1"


def test_the_class_archive_comes_before_the_users_flags():
    settings = ServingSettings.from_env({
        "BYOC_FRONTEND_CLASS_ARCHIVE": "/opt/byoc/frontend.jsa",
        "SAGEMAKER_MODEL_SERVER_VMARGS": "-Xshare:off -Xlog:cds"})

    options = config.jvm_options(settings, frontend(settings))

    archive = options.index("-XX:SharedArchiveFile=/opt/byoc/frontend.jsa")
    assert options[archive + 1:] == ["-Xshare:off", "-Xlog:cds"]


def test_no_archive_no_flag():
    settings = ServingSettings.from_env({})
    options = config.jvm_options(settings, frontend(settings))

    assert not [o for o in options if o.startswith("-XX:SharedArchiveFile")]

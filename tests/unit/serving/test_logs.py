"""byoc serve's log format: JSON lines with the inference id inside a request."""

from __future__ import annotations

import json
import logging

from byoc_toolkit.errors import log, log_through
from byoc_toolkit.serving import logs
from byoc_toolkit.serving.settings import ServingSettings


def test_json_lines_carry_the_inference_id_inside_a_request(capsys):
    try:
        logs.configure(ServingSettings.from_env({"BYOC_LOG_FORMAT": "json"}))
        user = logging.getLogger("my_model")
        user.info("outside")
        with logs.request_scope("id-42"):
            user.warning("inside %s", "predict")
            try:
                raise ValueError("boom")
            except ValueError:
                user.exception("failed")
        log("byoc's own line")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        _unconfigure()
    assert [line["message"] for line in lines] == ["outside", "inside predict", "failed",
                                                    "byoc's own line"]
    assert [line.get("inference_id") for line in lines] == [None, "id-42", "id-42", None]
    assert lines[1]["level"] == "WARNING" and lines[1]["logger"] == "my_model"
    assert lines[3]["logger"] == "byoc"
    assert "ValueError: boom" in lines[2]["exception"]
    assert lines[0]["time"].endswith("Z")


def test_text_format_keeps_byoc_lines_as_they_were(capsys):
    try:
        logs.configure(ServingSettings.from_env({"BYOC_LOG_LEVEL": "WARNING"}))
        log("ready")  # INFO: below the level
        log("stopping", logging.WARNING)
        with logs.request_scope("id-7"):
            logging.getLogger("my_model").error("bad row")
        err = capsys.readouterr().err.splitlines()
    finally:
        _unconfigure()
    assert err[0] == "byoc: stopping"
    assert err[1].endswith("ERROR my_model [id-7]: bad row")


def _unconfigure() -> None:
    logging.getLogger().handlers = []
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("byoc").handlers = []
    log_through(None)

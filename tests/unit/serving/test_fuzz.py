"""Property tests of the whole pipeline with every built-in codec, in-process: any body, any
Content-Type and Accept, any data annotation. The response is always a 2xx or a 4xx with a
one-line JSON error, or a 500 only when the program's own code raised; nothing ever escapes.

The bodies, types and Accept headers are support.fuzzing's. BYOC_FUZZ_EXAMPLES sets the
examples per test (CI runs the default).
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.apps import app_of, placeholder_model
from support.fuzzing import accepts, bodies, content_types

from byoc_toolkit.serving import codecs
from byoc_toolkit.serving.inference import InferenceApp
from byoc_toolkit.serving.messages import Headers, InferenceRequest, InferenceResponse

FUZZ = settings(max_examples=int(os.environ.get("BYOC_FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
ANNOTATIONS = [None, np.ndarray, pd.DataFrame, list, dict, bytes]

def _raise(model: Any, data: Any) -> Any:
    raise ValueError("the program's own failure")


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[Any, bool], InferenceApp]:
    """An app per annotation whose predict_fn returns its data, or (True) raises ValueError."""
    model_dir = placeholder_model(tmp_path_factory.mktemp("model"))
    return {(annotation, raising): app_of(_raise if raising else _echo, annotation, model_dir)
            for annotation in ANNOTATIONS for raising in (False, True)}


def _echo(model: Any, data: Any) -> Any:
    return data


def handled(app: InferenceApp, body: bytes, content_type: str, accept: str | None,
            caplog: pytest.LogCaptureFixture) -> InferenceResponse:
    headers = Headers({"Content-Type": content_type})
    if accept is not None:
        headers["Accept"] = accept
    caplog.clear()
    with caplog.at_level("WARNING", logger=codecs.__name__):
        response = app.handle(InferenceRequest(body, headers))
    # The codecs' safety net logs what a decoder did not check itself: a check is missing.
    assert not [record for record in caplog.records if record.name == codecs.__name__], (
        caplog.text)
    if response.status >= 400:
        assert response.content_type == "application/json"
        assert b"\n" not in response.body
        assert isinstance(json.loads(response.body)["error"], str)
    return response


@FUZZ
@pytest.mark.filterwarnings("ignore:Duplicate name")
@given(body=bodies(), content_type=content_types, accept=accepts,
       annotation=st.sampled_from(ANNOTATIONS))
def test_any_request_gets_a_2xx_or_a_4xx(apps, caplog, body, content_type, accept, annotation):
    response = handled(apps[(annotation, False)], body, content_type, accept, caplog)
    assert 200 <= response.status < 300 or 400 <= response.status < 500, response.body


@FUZZ
@pytest.mark.filterwarnings("ignore:Duplicate name")
@given(body=bodies(), content_type=content_types, accept=accepts,
       annotation=st.sampled_from(ANNOTATIONS))
def test_a_500_only_when_the_programs_code_raised(apps, caplog, body, content_type, accept,
                                                  annotation):
    response = handled(apps[(annotation, True)], body, content_type, accept, caplog)
    if response.status >= 500:
        assert response.status == 500
        assert json.loads(response.body) == {
            "error": "predict_fn raised ValueError: the program's own failure"}
    else:
        assert 400 <= response.status < 500, response.body

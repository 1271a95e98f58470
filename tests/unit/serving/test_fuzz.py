"""Property tests of the whole pipeline with every built-in codec, in-process: any body, any
Content-Type and Accept, any data annotation. The response is always a 2xx or a 4xx with a
one-line JSON error, or a 500 only when the program's own code raised; nothing ever escapes.

Bodies are drawn to reach deep into each decoder (valid-looking .npy headers with hostile
shapes and dtypes, zip archives with hostile members, sparse layouts, CSV and JSON text) and
then mutated. BYOC_FUZZ_EXAMPLES sets the examples per test (CI runs the default).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.bodies import npy_bytes

from byoc_toolkit import predict_fn
from byoc_toolkit.registry import reset
from byoc_toolkit.serving import codecs
from byoc_toolkit.serving.inference import InferenceApp
from byoc_toolkit.serving.messages import Headers, InferenceRequest, InferenceResponse
from byoc_toolkit.serving.settings import ServingSettings

FUZZ = settings(max_examples=int(os.environ.get("BYOC_FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
ANNOTATIONS = [None, np.ndarray, pd.DataFrame, list, dict, bytes]

charsets = st.sampled_from(["utf-8", "UTF-16", "latin-1", "idna", "utf-7", "punycode",
                            "unicode_escape", "raw_unicode_escape", "rot13", "base64", "cp500",
                            "utf-32-be", "ascii", "nope", ""])
content_types = st.one_of(
    st.builds(lambda essence, charset, header: f"{essence}; charset={charset}; header={header}",
              st.sampled_from(codecs.REQUEST_TYPES), charsets,
              st.sampled_from(["present", "absent", "maybe"])),
    st.sampled_from([*codecs.REQUEST_TYPES, "application/x-jsonlines", "text/csv; header=present"]),
    st.text(max_size=40))
accepts = st.one_of(st.none(), st.sampled_from([*codecs.RESPONSE_TYPES, "*/*", "text/*",
                                                "image/png", "application/x-npz", "*;q=0"]),
                    st.text(max_size=40))

DESCRS = ["<f8", "<f4", "|b1", "<i8", "|u1", ">i2", "<c16", "<U3", "|S2", "|S0", "<U0", "|V0",
          "|V4", "<M8[ns]", "<m8[s]", "|O", [("a", "<f8")], [("a", "<f8", (0,))],
          [("a", "<i4"), ("b", "|S3")], [("a", "|O")], "<zz", 7, "<f8\x00"]
dimensions = st.one_of(st.integers(0, 4), st.integers(0, 1 << 20), st.just(2**31),
                       st.just(2**70), st.integers(-3, -1))


@st.composite
def npy_bodies(draw: st.DrawFn) -> bytes:
    descr = draw(st.sampled_from(DESCRS))
    shape = tuple(draw(st.lists(dimensions, max_size=draw(st.sampled_from([3, 40, 70])))))
    header = repr({"descr": descr, "fortran_order": draw(st.booleans()), "shape": shape})
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    version = draw(st.sampled_from([b"\x01\x00", b"\x02\x00", b"\x03\x00"]))
    length = len(header).to_bytes(2 if version == b"\x01\x00" else 4, "little")
    return b"\x93NUMPY" + version + length + header.encode() + draw(st.binary(max_size=256))


@st.composite
def npz_bodies(draw: st.DrawFn) -> bytes:
    buffer = io.BytesIO()
    methods = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
    sparse = {"format": np.array(draw(st.sampled_from(["csr", "csc", "coo", "dia", "bsr", "x"]))),
              "shape": np.array(draw(st.lists(dimensions, min_size=1, max_size=3))),
              "data": np.arange(draw(st.integers(0, 5)), dtype=float),
              "indices": np.array(draw(st.lists(st.integers(-2, 8), max_size=5))),
              "indptr": np.array(draw(st.lists(st.integers(-2, 8), max_size=5))),
              "offsets": np.array(draw(st.lists(st.integers(-2, 3), max_size=3))),
              "row": np.array(draw(st.lists(st.integers(-2, 8), max_size=5))),
              "col": np.array(draw(st.lists(st.integers(-2, 8), max_size=5)))}
    with zipfile.ZipFile(buffer, "w") as archive:
        if draw(st.booleans()):
            for name in draw(st.sets(st.sampled_from(sorted(sparse)), min_size=2)):
                archive.writestr(name + ".npy", npy_bytes(sparse[name], allow_pickle=True),
                                 draw(st.sampled_from(methods)))
        for index in range(draw(st.integers(0, 3))):
            archive.writestr(draw(st.sampled_from([f"m{index}.npy", "x", "../a.npy"])),
                             draw(st.one_of(npy_bodies(), st.binary(max_size=64))),
                             draw(st.sampled_from(methods)))
    return buffer.getvalue()


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["a", "b", "instances", "inputs"]),
                                               children, max_size=3)),
    max_leaves=20)
csv_text = st.lists(st.lists(st.one_of(st.floats().map(repr), st.integers().map(str),
                                       st.text(alphabet=',"\n\r ab1.', max_size=5)),
                             min_size=1, max_size=4), max_size=5).map(
    lambda rows: "\n".join(",".join(row) for row in rows))
structured = st.one_of(
    npy_bodies(), npz_bodies(), json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(json_values, max_size=4).map(
        lambda vs: "\n".join(json.dumps(v) for v in vs).encode()),
    csv_text.map(str.encode), st.binary(max_size=300))


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A structured body, sometimes with bytes flipped, cut off, or a big integer inside."""
    body = bytearray(draw(structured))
    for _ in range(draw(st.sampled_from([0, 0, 1, 3]))):
        if body:
            body[draw(st.integers(0, len(body) - 1))] = draw(st.integers(0, 255))
    if body and draw(st.booleans()):
        body = body[:draw(st.integers(0, len(body)))]
    if draw(st.integers(0, 9)) == 0:
        body = bytearray(b"[" + b"9" * draw(st.integers(4000, 4400)) + b"]")
    return bytes(body)


def app_with(annotation: Any, model_dir: Path, raising: bool) -> InferenceApp:
    """An app whose @predict_fn returns its data (or, ``raising``, raises ValueError)."""
    program = reset()

    def predict(model, data):
        if raising:
            raise ValueError("the program's own failure")
        return data

    if annotation is not None:
        predict.__annotations__["data"] = annotation
    predict_fn(predict)
    return InferenceApp.setup(program, model_dir, ServingSettings())


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[Any, bool], InferenceApp]:
    model_dir = tmp_path_factory.mktemp("model")
    joblib.dump("a model", model_dir / "model.joblib")
    return {(annotation, raising): app_with(annotation, model_dir, raising)
            for annotation in ANNOTATIONS for raising in (False, True)}


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

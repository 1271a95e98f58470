"""@predict_fn, @model_fn, @decoder and @encoder register typed specs, once each."""

from __future__ import annotations

import numpy as np
import pytest

from byoc_toolkit import RequestContext, decoder, encoder, model_fn, predict_fn
from byoc_toolkit.errors import RegistrationError
from byoc_toolkit.registry import Hook, current, reset
from byoc_toolkit.serving.data_kinds import DataKind


def test_the_data_annotation_becomes_the_data_kind():
    reset()

    @predict_fn
    def predict(model, data: np.ndarray):
        return data

    spec = current().predict
    assert spec is not None and spec.func is predict and spec.data_kind is DataKind.NDARRAY


def test_a_second_registration_names_its_decorator():
    reset()

    @model_fn
    def load(model_dir):
        return model_dir

    @predict_fn
    def predict(model, data):
        return data

    def load_again(model_dir):
        return model_dir

    def predict_again(model, data):
        return data

    with pytest.raises(RegistrationError, match="a second @model_fn: .*load_again"):
        model_fn(load_again)
    with pytest.raises(RegistrationError, match="a second @predict_fn: .*predict_again"):
        predict_fn(predict_again)


def test_codecs_are_registered_by_media_type_essence():
    reset()

    @decoder("Text/Plain; charset=utf-8")
    def read(body, media_type):
        return body

    @encoder("application/x-thing")
    def write(prediction):
        return b""

    assert current().decoders == {"text/plain": Hook(read)}
    assert current().encoders == {"application/x-thing": Hook(write)}


def test_a_last_parameter_annotated_request_context_takes_the_context():
    reset()

    @predict_fn
    def predict(model, data: np.ndarray, context: RequestContext):
        return data

    @decoder("text/plain")
    def read(body, media_type, context: RequestContext):
        return body

    @encoder("text/plain")
    def write(prediction, ctx: RequestContext):
        return b""

    spec = current().predict
    assert spec is not None and spec.takes_context and spec.data_kind is DataKind.NDARRAY
    assert current().decoders["text/plain"] == Hook(read, takes_context=True)
    assert current().encoders["text/plain"] == Hook(write, takes_context=True)


@pytest.mark.parametrize("decorate, signature", [
    (predict_fn, lambda model: None),
    (predict_fn, lambda model, data, context: None),
    (predict_fn, lambda model, data, context, extra: None),
    (predict_fn, lambda model, *data: None),
    (decoder("text/plain"), lambda body: None),
    (decoder("text/plain"), lambda body, media_type, context: None),
    (encoder("text/plain"), lambda prediction, media_type: None),
    (encoder("text/plain"), lambda prediction, **context: None),
])
def test_other_signatures_are_refused_when_the_program_is_imported(decorate, signature):
    reset()
    with pytest.raises(RegistrationError, match="must take .*optionally followed by a "
                                                "parameter annotated RequestContext"):
        decorate(signature)

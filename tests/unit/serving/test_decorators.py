"""@predict_fn, @model_fn, @decoder and @encoder register typed specs, once each."""

from __future__ import annotations

import numpy as np
import pytest

from byoc_toolkit import decoder, encoder, model_fn, predict_fn
from byoc_toolkit.errors import RegistrationError
from byoc_toolkit.registry import current, reset
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

    assert current().decoders == {"text/plain": read}
    assert current().encoders == {"application/x-thing": write}

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


def test_model_fn_per_worker_may_take_the_worker(tmp_path):
    from byoc_toolkit import WorkerInfo
    from byoc_toolkit.model_artifacts import load_model

    reset()

    @model_fn(per_worker=True)
    def load(model_dir, worker: WorkerInfo):
        return model_dir, worker

    spec = current().model_loader
    assert spec is not None and spec.per_worker and spec.takes_worker
    assert load_model(tmp_path, spec, WorkerInfo.assign(3, 4, gpus=2)) == (
        tmp_path, WorkerInfo(3, 4, gpu=1))
    # In-process (the testing kit), a worker-taking loader gets worker 0 of 1.
    assert load_model(tmp_path, spec)[1] == WorkerInfo(0, 1)


def test_model_fn_without_per_worker_takes_only_the_model_dir():
    reset()

    @model_fn
    def load(model_dir):
        return model_dir

    spec = current().model_loader
    assert spec is not None and not spec.per_worker and not spec.takes_worker
    reset()
    with pytest.raises(RegistrationError, match="needs per_worker=True"):
        @model_fn
        def load_with_worker(model_dir, worker):
            return model_dir
    with pytest.raises(RegistrationError, match=r"\(model_dir\) or \(model_dir, worker\)"):
        @model_fn(per_worker=True)
        def load_with_three(model_dir, worker, extra):
            return model_dir


def test_a_worker_sees_one_gpu_as_cuda_0():
    from byoc_toolkit import WorkerInfo

    assert [WorkerInfo.assign(i, 4, gpus=2).gpu for i in range(4)] == [0, 1, 0, 1]
    assert WorkerInfo.assign(3, 4, gpus=2).environment() == {"CUDA_VISIBLE_DEVICES": "1"}
    assert WorkerInfo.assign(3, 4, gpus=2).device == "cuda:0"
    assert WorkerInfo.assign(1, 2, gpus=0) == WorkerInfo(1, 2, None)
    assert WorkerInfo.assign(1, 2, gpus=0).environment() == {}
    assert WorkerInfo.assign(1, 2, gpus=0).device == "cpu"

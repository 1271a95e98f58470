from pathlib import Path
from typing import Optional

import pandas as pd
import pytest

from byoc_toolkit import Channel, TrainingEnv, load_training_env, train_fn
from byoc_toolkit.errors import RegistrationError
from byoc_toolkit.registry import reset
from byoc_toolkit.training.parameters import InvalidInputError, Role, analyze, bind, check_inputs


def env_with(tmp_path, hyperparameters=None, channels=("train",)) -> TrainingEnv:
    import json

    config = tmp_path / "input" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "hyperparameters.json").write_text(json.dumps(hyperparameters or {}))
    for name in channels:
        (tmp_path / "input/data" / name).mkdir(parents=True, exist_ok=True)
        (tmp_path / "input/data" / name / "d.csv").write_text("a,1\nb,2\n")
    return load_training_env(tmp_path)


def test_roles_by_annotation_and_name(tmp_path):
    def train(env: TrainingEnv, train: pd.DataFrame, extra: Optional[Channel] = None,
              raw: Path = Path("."), depth=3, *, name: str):
        pass

    roles = {p.name: p.role for p in analyze(train)}
    assert roles == {"env": Role.ENV, "train": Role.CHANNEL, "extra": Role.CHANNEL,
                     "raw": Role.CHANNEL, "depth": Role.HYPERPARAMETER,
                     "name": Role.HYPERPARAMETER}
    kwargs = bind(analyze(train), env_with(tmp_path, {"depth": "4", "name": '"n"'},
                                           channels=("train", "raw")))
    assert kwargs["depth"] == 4 and kwargs["name"] == "n"
    assert list(kwargs["train"].columns) == [0, 1] and len(kwargs["train"]) == 2
    assert "extra" not in kwargs and kwargs["raw"].name == "raw"


def test_every_problem_is_reported_one_line_each(tmp_path):
    def train(train: Channel, depth: int, rate: float = 0.1):
        pass

    with pytest.raises(InvalidInputError) as info:
        bind(analyze(train), env_with(tmp_path, {"rate": "fast", "dept": "3"}, channels=()))
    assert info.value.problems == [
        "train: required channel is missing (channels given: none)",
        "depth: required hyperparameter is missing (expected int)",
        "rate: expected float, got 'fast'",
        "dept: unknown hyperparameter (did you mean 'depth'?); accepted: depth, rate",
    ]


def test_dashed_names_and_extra_hyperparameters(tmp_path):
    def train(learning_rate: float, **rest):
        pass

    kwargs = bind(analyze(train), env_with(tmp_path, {"learning-rate": "0.5", "other": "[1]"}))
    assert kwargs == {"learning_rate": 0.5, "other": [1]}


def test_unusable_signatures_fail_at_decoration():
    reset()
    with pytest.raises(RegistrationError, match=r"\*args cannot be filled"):
        train_fn(lambda *args: None)
    with pytest.raises(RegistrationError, match="default of n: expected int"):
        @train_fn
        def bad(n: int = "x"):  # type: ignore[assignment]
            pass
    with pytest.raises(RegistrationError, match="on_sigterm"):
        train_fn(on_sigterm="ignore")  # type: ignore[call-overload]


@pytest.mark.parametrize("annotation", [complex, bytes, "set[complex]", "dict[str, object]"])
def test_an_annotation_no_value_can_be_converted_to_fails_at_registration(annotation):
    reset()
    namespace: dict = {}
    exec(f"def train(x: {getattr(annotation, '__name__', annotation)}): pass", namespace)
    with pytest.raises(RegistrationError, match="parameter x: unsupported annotation"):
        train_fn(namespace["train"])


def test_second_train_fn_is_refused():
    reset()

    @train_fn
    def one():
        pass

    with pytest.raises(RegistrationError, match="a second @train_fn"):
        @train_fn
        def two():
            pass


def test_check_inputs_finds_what_bind_would_refuse_without_a_training_env():
    def train(train: Channel, depth: int, rate: float = 0.1, validation: Optional[Path] = None):
        pass

    with pytest.raises(InvalidInputError) as info:
        check_inputs(analyze(train), {"rate": "fast", "dept": "3"}, ["validation"])
    assert info.value.problems == [
        "train: required channel is missing (channels given: validation)",
        "depth: required hyperparameter is missing (expected int)",
        "rate: expected float, got 'fast'",
        "dept: unknown hyperparameter (did you mean 'depth'?); accepted: depth, rate",
    ]
    check_inputs(analyze(train), {"depth": "3", "sagemaker_region": '"eu"'}, ["train"])


def test_check_inputs_counts_tuned_hyperparameters_as_given():
    def train(train: Channel, depth: int, **rest):
        pass

    check_inputs(analyze(train), {}, ["train"], tuned=["depth", "learning-rate"])
    with pytest.raises(InvalidInputError, match="depth: required hyperparameter is missing"):
        check_inputs(analyze(train), {}, ["train"], tuned=["learning-rate"])

    def strict(depth: int):
        pass

    with pytest.raises(InvalidInputError, match="dpeth: unknown hyperparameter"):
        check_inputs(analyze(strict), {}, [], tuned=["depth", "dpeth"])

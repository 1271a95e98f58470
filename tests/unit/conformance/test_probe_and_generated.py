"""What byoc check reads from a byoc image's @train_fn, and the tree and payload it makes up
from that: the example trains on them and predicts the payload (in-process here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.paths import EXAMPLE_PROGRAM, PROGRAMS

from byoc_toolkit.conformance import generated
from byoc_toolkit.conformance.probe import (
    INVALID_VALUE,
    UNKNOWN_NAME,
    TrainSignature,
    describe,
)
from byoc_toolkit.contract import InputMode, load_training_env
from byoc_toolkit.testing import InProcessEndpoint, run_training
from byoc_toolkit.training.parameters import ChannelForm


def signature_of(program: Path) -> TrainSignature | None:
    # As byoc check reads it: the probe's JSON line, parsed on the host.
    return TrainSignature.from_json(json.dumps(describe(str(program))))


def test_the_examples_signature_and_its_invalid_hyperparameter() -> None:
    signature = signature_of(EXAMPLE_PROGRAM)

    assert signature is not None
    assert [(c.name, c.form, c.required) for c in signature.channels] == [
        ("training", ChannelForm.DATAFRAME, True)]
    assert signature.typed_hyperparameters == ("max_leaf_nodes", "criterion")
    assert signature.invalid_hyperparameter() == ("max_leaf_nodes", INVALID_VALUE)
    assert generated.blocker(signature) is None


@pytest.mark.parametrize("program, invalid, blocker", [
    ("typed_hyperparameters.py", ("epochs", INVALID_VALUE), "without a default (epochs)"),
    ("environment_dump.py", None, None),
    ("pipe_reader.py", ("epochs", INVALID_VALUE), "is read as a Channel"),
])
def test_what_other_functions_allow(program: str, invalid: tuple[str, str] | None,
                                    blocker: str | None) -> None:
    signature = signature_of(PROGRAMS / program)

    assert signature is not None
    assert signature.invalid_hyperparameter() == invalid
    found = generated.blocker(signature)
    assert (found is None) if blocker is None else (blocker in str(found))


def test_untyped_hyperparameters_only_an_unknown_name_fails() -> None:
    signature = TrainSignature(channels=(), required_hyperparameters=(),
                               typed_hyperparameters=(), takes_extra_hyperparameters=False)

    assert signature.invalid_hyperparameter() == (UNKNOWN_NAME, "1")


def test_a_program_without_train_fn_and_another_probe_version() -> None:
    assert signature_of(PROGRAMS / "faulty_predictor.py") is None
    with pytest.raises(ValueError, match="version 1"):
        TrainSignature.from_json('{"version": 99, "train": true}')


def test_the_example_trains_on_the_generated_tree_and_predicts_the_payload(
        tmp_path: Path) -> None:
    signature = signature_of(EXAMPLE_PROGRAM)
    assert signature is not None
    tree = generated.write_tree(tmp_path / "opt_ml", signature)

    result = run_training(EXAMPLE_PROGRAM, root=tree.root)
    assert result.succeeded, result.log
    payload = generated.payload()
    with InProcessEndpoint(EXAMPLE_PROGRAM, result.model_dir) as endpoint:
        response = endpoint.invoke(payload.body, content_type=payload.content_type)

    assert response.status == 200, response.text
    assert len(response.text.splitlines()) == generated.PAYLOAD_ROWS


def test_the_piped_tree_has_a_pipe_channel_and_no_data(tmp_path: Path) -> None:
    signature = signature_of(EXAMPLE_PROGRAM)
    assert signature is not None
    tree = generated.write_tree(tmp_path / "opt_ml", signature, piped=True)

    channel = load_training_env(tree.root).channels["training"]
    assert channel.input_mode is InputMode.PIPE
    assert list(tree.paths.input_data_dir.iterdir()) == []

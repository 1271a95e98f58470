"""What a byoc image's @train_fn takes, read inside the image.

``byoc check`` runs ``python -m byoc_toolkit.conformance.probe`` in the image (the program is
$BYOC_PROGRAM there), which prints one JSON object; TrainSignature reads it on the host.
Both ends live here, so they change together; ``version`` tells a toolkit in the image that
speaks another version apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..program import inspect_program, resolve_program
from ..training.conversion import HyperparameterError
from ..training.parameters import ChannelForm, Parameter, Role

VERSION = 1
#: A value that every typed hyperparameter but a str rejects.
INVALID_VALUE = "byoc-check: not a valid value"
#: The hyperparameter a function without **kwargs rejects as unknown.
UNKNOWN_NAME = "byoc_check_unknown_hyperparameter"


@dataclass(frozen=True)
class ChannelParameter:
    name: str
    form: ChannelForm
    required: bool


@dataclass(frozen=True)
class TrainSignature:
    """The parameters of the image's @train_fn, as far as writing a tree needs them."""

    channels: tuple[ChannelParameter, ...]
    required_hyperparameters: tuple[str, ...]
    #: Hyperparameters whose converter rejects INVALID_VALUE.
    typed_hyperparameters: tuple[str, ...]
    takes_extra_hyperparameters: bool

    @classmethod
    def from_json(cls, text: str) -> TrainSignature | None:
        """The signature the probe printed; None when the program has no @train_fn.
        ValueError when the output is not this version's."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError(f"expected probe output of version {VERSION}, got {text[:200]!r}")
        if not data["train"]:
            return None
        return cls(
            channels=tuple(ChannelParameter(c["name"], ChannelForm(c["form"]), c["required"])
                           for c in data["channels"]),
            required_hyperparameters=tuple(data["required_hyperparameters"]),
            typed_hyperparameters=tuple(data["typed_hyperparameters"]),
            takes_extra_hyperparameters=data["takes_extra_hyperparameters"],
        )

    def invalid_hyperparameter(self) -> tuple[str, str] | None:
        """A hyperparameter (name, value) that the function rejects before it runs."""
        if self.typed_hyperparameters:
            return self.typed_hyperparameters[0], INVALID_VALUE
        if not self.takes_extra_hyperparameters:
            return UNKNOWN_NAME, "1"
        return None


def describe(program: str) -> dict[str, Any]:
    """The probe's output for ``program``."""
    spec = inspect_program(program).train
    if spec is None:
        return {"version": VERSION, "train": False}
    channels = [p for p in spec.parameters if p.role is Role.CHANNEL]
    hyper = [p for p in spec.parameters if p.role is Role.HYPERPARAMETER]
    return {
        "version": VERSION,
        "train": True,
        "channels": [{"name": p.name, "form": p.form.value if p.form else None,
                      "required": p.required} for p in channels],
        "required_hyperparameters": [p.name for p in hyper if p.required],
        "typed_hyperparameters": [p.name for p in hyper if _rejects_invalid(p)],
        "takes_extra_hyperparameters": any(p.role is Role.EXTRA_HYPERPARAMETERS
                                           for p in spec.parameters),
    }


def _rejects_invalid(parameter: Parameter) -> bool:
    if parameter.converter is None:
        return False
    try:
        parameter.converter(parameter.name, INVALID_VALUE)
    except HyperparameterError:
        return True
    return False


def main() -> None:
    print(json.dumps(describe(resolve_program(None))))


if __name__ == "__main__":
    main()

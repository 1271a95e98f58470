"""Hyperparameters: reading hyperparameters.json and decoding the strings SageMaker wrote.

SageMaker stores every value as a string, in one of two encodings: plain ``str()`` (the API,
the console, plain estimators) or ``json.dumps`` first (the Python SDK's framework
estimators), so ``gini`` may arrive as ``"gini"`` or as ``"\\"gini\\""``, ``True`` as
``"True"`` or ``"true"``, and a list as ``"['a', 'b']"`` or ``"[\\"a\\", \\"b\\"]"``. Both
read the same here; ``training.conversion`` turns them into the types a @train_fn declares.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from .config_files import read_json_object
from .errors import ContractError
from .paths import Paths

#: Names SageMaker and its Python SDK add on their own; never the user's.
SAGEMAKER_PREFIX = "sagemaker_"
SAGEMAKER_ADDED_NAMES = frozenset({"_tuning_objective_metric", "default_user_module_name"})


def is_sagemaker_added(name: str) -> bool:
    """True for the names SageMaker or its SDK put into hyperparameters.json."""
    return name.startswith(SAGEMAKER_PREFIX) or name in SAGEMAKER_ADDED_NAMES


def read_raw_hyperparameters(paths: Paths) -> dict[str, str]:
    """hyperparameters.json as a name -> string map; no file gives an empty map.

    Values that are not strings (hand-written local files) are stored as their JSON text,
    which decodes exactly as SageMaker's strings do.
    """
    data = read_json_object(paths.hyperparameters_file, default={})
    raw: dict[str, str] = {}
    for name, value in data.items():
        if not name:
            raise ContractError("hyperparameters.json", "a hyperparameter has an empty name")
        raw[name] = value if isinstance(value, str) else json.dumps(value)
    return raw


def decode_untyped(raw: str) -> Any:
    """What sagemaker-training makes of a value: its JSON reading, else the string itself;
    also the string for JSON nested more than MAX_NESTING levels deep or holding an integer
    of more than 4300 digits, which Python reads or writes again only up to limits that
    depend on where it is called from."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return raw
    return raw if _nested_too_deeply(raw) else value


#: How deeply a hyperparameter's JSON value may nest and still be decoded.
MAX_NESTING = 100
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _nested_too_deeply(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_NESTING:
            return True
    return False


def decode_all_untyped(raw: Mapping[str, str]) -> dict[str, Any]:
    return {name: decode_untyped(value) for name, value in raw.items()}


def unquote(raw: str) -> str:
    """The value without the SDK's JSON string layer: '"gini"' -> 'gini'."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        if isinstance(value, str):
            return value
    return raw


def encode_hyperparameter(value: Any) -> str:
    """The string SageMaker would hold for ``value``: a string as it is (it is already one
    of SageMaker's strings), anything else as the Python SDK's JSON (``5``, ``true``,
    ``["a", "b"]``); an Enum as its value, a path as its text."""
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return encode_hyperparameter(value.value)
    if isinstance(value, PurePath):
        return str(value)
    try:
        return json.dumps(list(value) if isinstance(value, (tuple, set, frozenset)) else value)
    except TypeError:
        return str(value)

"""How a @train_fn's signature is filled: hyperparameters typed by their annotations,
channels by name, and the training environment, all checked before the function runs."""

from __future__ import annotations

import difflib
import enum
import inspect
import types
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contract import Channel, ResourceConfig, TrainingEnv
from ..contract.hyperparameters import (
    decode_untyped,
    encode_hyperparameter,
    is_sagemaker_added,
)
from ..errors import InputError, RegistrationError
from ..registry import describe
from .conversion import (
    Converter,
    HyperparameterError,
    UnsupportedAnnotation,
    converter_for,
    type_name,
)


class Role(enum.Enum):
    HYPERPARAMETER = "hyperparameter"
    CHANNEL = "channel"
    ENV = "env"
    RESOURCES = "resources"
    DASK_CLIENT = "Dask client"
    EXTRA_HYPERPARAMETERS = "extra hyperparameters"


class ChannelForm(enum.Enum):
    """What a channel parameter receives."""

    CHANNEL = "Channel"
    PATH = "Path"
    DATAFRAME = "DataFrame"


@dataclass(frozen=True)
class Parameter:
    """One parameter of a @train_fn and what fills it."""

    name: str
    role: Role
    annotation: Any = Any
    default: Any = inspect.Parameter.empty
    form: ChannelForm | None = None
    #: Hyperparameters only: how the raw string becomes the value.
    converter: Converter | None = None

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    @property
    def value_type(self) -> Any:
        """The annotation without ``Optional`` or ``Annotated``: ``int`` for ``Optional[int]``."""
        return _strip_optional(self.annotation)

    def describe(self) -> str:
        """``max_leaf_nodes: int = 5`` for help and messages."""
        text = f"{self.name}: {type_name(self.annotation)}"
        return text if self.required else f"{text} = {self.default!r}"


class InvalidInputError(InputError):
    """Hyperparameters or channels that do not fit the function: one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def analyze(func: Callable[..., Any]) -> tuple[Parameter, ...]:
    """The parameters of ``func`` with their roles; unusable signatures fail here, at import."""
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception as exc:  # names in string annotations that do not resolve
        raise RegistrationError(
            f"cannot resolve the annotations of {describe(func)}: {exc}") from None
    params = []
    for p in inspect.signature(func).parameters.values():
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            raise RegistrationError(f"{describe(func)}: *{p.name} cannot be filled by name")
        if p.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise RegistrationError(f"{describe(func)}: {p.name} is positional-only")
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            params.append(Parameter(p.name, Role.EXTRA_HYPERPARAMETERS))
            continue
        annotation = hints.get(p.name, Any)
        params.append(_classify(func, p, annotation))
    return tuple(params)


def _classify(func: Callable[..., Any], p: inspect.Parameter, annotation: Any) -> Parameter:
    core = _strip_optional(annotation)
    if core is TrainingEnv:
        return Parameter(p.name, Role.ENV, annotation, p.default)
    if core is ResourceConfig:
        return Parameter(p.name, Role.RESOURCES, annotation, p.default)
    if is_named_class(core, "distributed", "Client"):
        return Parameter(p.name, Role.DASK_CLIENT, annotation, p.default)
    form = _channel_form(core)
    if form is not None:
        return Parameter(p.name, Role.CHANNEL, annotation, p.default, form)
    if annotation is Any and p.default not in (inspect.Parameter.empty, None):
        annotation = type(p.default)
    try:
        converter = converter_for(annotation)
    except UnsupportedAnnotation as exc:
        raise RegistrationError(f"{describe(func)}: parameter {p.name}: {exc}") from None
    if p.default not in (inspect.Parameter.empty, None):
        try:  # a default outside its own Literal, say, fails now, not on SageMaker
            converter(p.name, encode_hyperparameter(p.default))
        except HyperparameterError as exc:
            raise RegistrationError(f"{describe(func)}: default of {exc}") from None
    return Parameter(p.name, Role.HYPERPARAMETER, annotation, p.default, converter=converter)


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _channel_form(annotation: Any) -> ChannelForm | None:
    if annotation is Channel:
        return ChannelForm.CHANNEL
    if annotation is Path:
        return ChannelForm.PATH
    if is_named_class(annotation, "pandas", "DataFrame"):
        return ChannelForm.DATAFRAME
    return None


def is_named_class(annotation: Any, package: str, name: str) -> bool:
    """Whether ``annotation`` is the class ``name`` of ``package`` (pandas' DataFrame, say);
    told by name, so that pandas and distributed are imported only where they are used."""
    return (getattr(annotation, "__name__", None) == name
            and getattr(annotation, "__module__", "").split(".")[0] == package)


def bind(params: tuple[Parameter, ...], env: TrainingEnv,
         dask_client: Any = None) -> dict[str, Any]:
    """Keyword arguments for the function, or InvalidInputError listing every problem.
    ``dask_client`` fills a ``distributed.Client`` parameter."""
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    raw = _by_python_name(env.raw_hyperparameters)

    for p in params:
        if p.role is Role.ENV:
            kwargs[p.name] = env
        elif p.role is Role.RESOURCES:
            kwargs[p.name] = env.resources
        elif p.role is Role.DASK_CLIENT:
            kwargs[p.name] = dask_client
        elif p.role is Role.HYPERPARAMETER:
            _bind_hyperparameter(p, raw, kwargs, problems)
        elif p.role is Role.CHANNEL:
            _bind_channel(p, env, kwargs, problems)

    undeclared = _undeclared(params, raw.items(), problems)
    if _takes_extra(params):
        kwargs.update({name: decode_untyped(value) for name, value in undeclared})
    if problems:
        raise InvalidInputError(problems)
    return kwargs


def check_inputs(params: tuple[Parameter, ...], hyperparameters: Mapping[str, str],
                 channels: Collection[str], tuned: Collection[str] = ()) -> None:
    """What bind() would refuse, checked before a job is started elsewhere (byoc deploy):
    hyperparameter names and values, required hyperparameters and required channels by
    name. ``tuned`` names the hyperparameters a tuning job sets; they count as given.
    Raises InvalidInputError listing every problem."""
    problems: list[str] = []
    raw = _by_python_name(hyperparameters)
    tuned_names = {name.replace("-", "_"): (name, "") for name in tuned}
    for p in params:
        if p.role is Role.HYPERPARAMETER and p.name not in tuned_names:
            _bind_hyperparameter(p, raw, {}, problems)
        elif p.role is Role.CHANNEL and p.required and p.name not in channels:
            problems.append(_missing_channel(p, channels))
    _undeclared(params, [*raw.items(), *tuned_names.items()], problems)
    if problems:
        raise InvalidInputError(problems)


def _by_python_name(raw: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    # SageMaker names may use dashes ("learning-rate"); parameters cannot.
    return {name.replace("-", "_"): (name, value) for name, value in raw.items()}


def _bind_hyperparameter(p: Parameter, raw: Mapping[str, tuple[str, str]],
                         kwargs: dict[str, Any], problems: list[str]) -> None:
    if p.name in raw and p.converter is not None:
        try:
            kwargs[p.name] = p.converter(p.name, raw[p.name][1])
        except HyperparameterError as exc:
            problems.append(str(exc))
    elif p.required:
        problems.append(f"{p.name}: required hyperparameter is missing "
                        f"(expected {type_name(p.annotation)})")


def _takes_extra(params: tuple[Parameter, ...]) -> bool:
    return any(p.role is Role.EXTRA_HYPERPARAMETERS for p in params)


def _undeclared(params: tuple[Parameter, ...],
                given: Collection[tuple[str, tuple[str, str]]],
                problems: list[str]) -> list[tuple[str, str]]:
    """The given hyperparameters no parameter names, as (name, raw value), other than
    SageMaker's own; each is a problem unless the function takes ``**kwargs``."""
    known = {p.name for p in params if p.role is Role.HYPERPARAMETER}
    undeclared = [(name, value) for python_name, (name, value) in given
                  if python_name not in known and not is_sagemaker_added(name)]
    if not _takes_extra(params):
        problems.extend(_unknown(name, known) for name, _ in undeclared)
    return undeclared


def _unknown(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name.replace("-", "_"), sorted(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    accepted = ", ".join(sorted(known)) or "none"
    return f"{name}: unknown hyperparameter{hint}; accepted: {accepted}"


def _missing_channel(p: Parameter, present: Collection[str]) -> str:
    given = ", ".join(sorted(present)) or "none"
    return f"{p.name}: required channel is missing (channels given: {given})"


def _bind_channel(p: Parameter, env: TrainingEnv, kwargs: dict[str, Any],
                  problems: list[str]) -> None:
    channel = env.channels.get(p.name)
    if channel is None:
        if p.required:
            problems.append(_missing_channel(p, env.channels))
        return
    if channel.is_empty():
        if p.required:
            problems.append(f"{p.name}: channel is empty: no files under {channel.path}")
        return
    if p.form is ChannelForm.CHANNEL:
        kwargs[p.name] = channel
    elif p.form is ChannelForm.PATH:
        kwargs[p.name] = channel.path
    else:
        from .channel_frames import read_csv_channel

        try:
            kwargs[p.name] = read_csv_channel(channel)
        except ValueError as exc:
            problems.append(f"{p.name}: {exc}")

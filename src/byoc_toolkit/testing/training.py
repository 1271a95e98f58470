"""``run_training``: a @train_fn run in this process exactly as ``byoc train`` runs it, with
what a test wants to look at afterwards."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, cast

from ..contract import Paths
from ..errors import ExitCode, InputError
from ..training import runner
from ..training.metrics import MetricValue, parse_metric
from .tree import ChannelData, TrainingTree


@dataclass(frozen=True)
class TrainingResult:
    """How a training run ended and what it left in its /opt/ml tree."""

    exit_code: ExitCode
    #: The /opt/ml tree the run used.
    root: Path
    #: The output/failure file's text, or None when the run wrote none.
    failure: str | None
    #: Every value the run logged with log_metric, in order.
    metrics: tuple[MetricValue, ...]
    #: What the run wrote through sys.stdout and sys.stderr, interleaved as written (C code
    #: and child processes write to the file descriptors, past it).
    log: str

    @property
    def succeeded(self) -> bool:
        return self.exit_code is ExitCode.OK

    @property
    def model_dir(self) -> Path:
        return Paths(self.root).model_dir

    @property
    def output_dir(self) -> Path:
        return Paths(self.root).output_dir

    @property
    def output_data_dir(self) -> Path:
        return Paths(self.root).output_data_dir

    def metric_values(self, name: str) -> list[float]:
        """The values logged for metric ``name``, in order."""
        return [metric.value for metric in self.metrics if metric.name == name]


def run_training(program: str | os.PathLike[str], *,
                 hyperparameters: Mapping[str, Any] | None = None,
                 channels: Mapping[str, ChannelData] | None = None,
                 root: str | os.PathLike[str] | None = None,
                 env: Mapping[str, str] | None = None) -> TrainingResult:
    """Run ``program``'s @train_fn as ``byoc train`` would: the same binding and checks, the
    same failure file and exit code (``byoc train`` itself runs this same code).

    ``hyperparameters`` are typed values or the strings SageMaker writes; ``channels`` maps
    each channel's name to a DataFrame, a path or files (see TrainingTree.add_channel).
    ``root`` is the /opt/ml tree (default: a new temporary directory): config files the
    arguments do not replace are kept, so an existing tree such as ``local_test/test_dir``
    runs as it is; model/ and output/ start empty, as on SageMaker. ``env`` is set in
    os.environ for the run (TRAINING_JOB_NAME, say).

    Runs in this process, from the main thread; the environment and the SIGTERM handler are
    restored afterwards, and the log is captured while still reaching pytest's output.
    """
    if threading.current_thread() is not threading.main_thread():
        raise InputError("run_training runs from the main thread: it handles SIGTERM as "
                         "byoc train does, and Python sets signal handlers only there")
    tree = TrainingTree(Path(root) if root is not None
                        else Path(tempfile.mkdtemp(prefix="byoc-training-")))
    _prepare(tree, hyperparameters, channels)
    log = io.StringIO()
    with _environment(env or {}), _sigterm_handler_kept(), _output_copied_to(log):
        exit_code = runner.run_training(os.fspath(program), tree.root)
    failure_file = tree.paths.failure_file
    text = log.getvalue()
    return TrainingResult(
        exit_code=exit_code,
        root=tree.root,
        failure=failure_file.read_text(encoding="utf-8") if failure_file.exists() else None,
        metrics=tuple(metric for line in text.splitlines()
                      if (metric := parse_metric(line)) is not None),
        log=text,
    )


def _prepare(tree: TrainingTree, hyperparameters: Mapping[str, Any] | None,
             channels: Mapping[str, ChannelData] | None) -> None:
    paths = tree.paths
    if hyperparameters is not None or not paths.hyperparameters_file.exists():
        tree.write_hyperparameters(hyperparameters or {})
    if channels is not None:
        tree.clear_channels()
        for name, data in channels.items():
            tree.add_channel(name, data)
    if not paths.resource_config_file.exists():
        tree.write_resource_config()
    tree.clear_outputs()


@contextlib.contextmanager
def _environment(changes: Mapping[str, str]) -> Iterator[None]:
    # byoc train exports the SM_* variables before importing the program; here they must
    # not outlive the run.
    saved = dict(os.environ)
    os.environ.update(changes)
    try:
        yield
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


@contextlib.contextmanager
def _sigterm_handler_kept() -> Iterator[None]:
    saved = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)


class _Tee:
    """Writes go to the log and on to the stream they replaced."""

    def __init__(self, log: io.StringIO, stream: TextIO) -> None:
        self._log = log
        self._stream = stream

    def write(self, text: str) -> int:
        self._log.write(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        # fileno(), encoding and the like: user code may hand the stream to a subprocess.
        return getattr(self._stream, name)


@contextlib.contextmanager
def _output_copied_to(log: io.StringIO) -> Iterator[None]:
    stdout = cast(TextIO, _Tee(log, sys.stdout))
    stderr = cast(TextIO, _Tee(log, sys.stderr))
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        yield

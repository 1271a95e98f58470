"""Training metrics as log lines, and the SageMaker MetricDefinitions that find them.

SageMaker reads metrics from the job's log with one regular expression per metric; this
module owns both the line format and the expressions, so they cannot drift apart.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from typing import SupportsFloat

PREFIX = "#byoc-metric"
_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_NAME = re.compile(r"[^\s=;]{1,255}")
_LINE = re.compile(rf"{re.escape(PREFIX)} ({_NAME.pattern})={_NUMBER}(?: step=(\d+))?")


@dataclass(frozen=True)
class MetricValue:
    """One value a log_metric line carries."""

    name: str
    value: float
    step: int | None = None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"metric name must be 1-255 characters without spaces, '=' or ';', "
                         f"got {name!r}")
    return name


def format_metric(name: str, value: SupportsFloat, step: int | None = None) -> str:
    """The log line for one value: ``#byoc-metric train:loss=0.25 step=3``."""
    _check_name(name)
    # Checked at run time too: user code passes whatever its metric computation returned.
    if isinstance(value, bool) or not hasattr(value, "__float__"):
        raise ValueError(f"metric {name}: value must be a number, got {value!r}")
    number = float(value)
    text = repr(number) if math.isfinite(number) else str(number)
    line = f"{PREFIX} {name}={text}"
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValueError(f"metric {name}: step must be a non-negative int, got {step!r}")
        line += f" step={step}"
    return line


def log_metric(name: str, value: SupportsFloat, step: int | None = None) -> None:
    """Print one metric value to stdout, flushed, in the format metric_definitions() matches."""
    sys.stdout.write(format_metric(name, value, step) + "\n")
    sys.stdout.flush()


def metric_definitions(*names: str) -> list[dict[str, str]]:
    """SageMaker ``MetricDefinitions`` (Name and Regex) for metrics logged with log_metric."""
    return [{"Name": _check_name(n), "Regex": f"{re.escape(PREFIX)} {re.escape(n)}={_NUMBER}"}
            for n in names]


def parse_metric(line: str) -> MetricValue | None:
    """The metric value in a log line written by log_metric, as SageMaker's MetricDefinitions
    read it (so not NaN or infinity); None for any other line."""
    found = _LINE.search(line)
    if found is None:
        return None
    name, value, step = found.groups()
    return MetricValue(name, float(value), None if step is None else int(step))

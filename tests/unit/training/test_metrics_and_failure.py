import re

import pytest

from byoc_toolkit import log_metric, metric_definitions
from byoc_toolkit.training.failure_file import format_failure, write_failure
from byoc_toolkit.training.metrics import MetricValue, format_metric, parse_metric


def test_logged_metrics_match_their_definitions(capsys):
    log_metric("train:loss", 0.125, step=3)
    log_metric("validation:accuracy", 1)
    log_metric("weird.name(x)", -2.5e-07)
    out = capsys.readouterr().out
    definitions = metric_definitions("train:loss", "validation:accuracy", "weird.name(x)")
    found = {d["Name"]: re.search(d["Regex"], out).group(1) for d in definitions}
    assert found == {"train:loss": "0.125", "validation:accuracy": "1.0",
                     "weird.name(x)": "-2.5e-07"}
    assert re.search(metric_definitions("train")[0]["Regex"], out) is None


@pytest.mark.parametrize("args", [("", 1), ("a b", 1), ("a", "x"), ("a", True), ("a", 1, -1)])
def test_bad_metrics_are_refused(args):
    with pytest.raises(ValueError):
        log_metric(*args)


def test_failure_reason_fits_and_user_file_wins(tmp_path):
    text = format_failure("r" * 2000, "Traceback ...")
    assert text.index("\n") == 1024 and text.endswith("Traceback ...\n")
    target = tmp_path / "output" / "failure"
    assert write_failure(target, "first") and target.read_text() == "first\n"
    assert not write_failure(target, "second") and target.read_text() == "first\n"


def test_parse_metric_reads_what_log_metric_writes():
    line = format_metric("train:loss", 0.25, step=3)
    assert parse_metric(line) == MetricValue("train:loss", 0.25, 3)
    assert parse_metric(f"[algo-1] {format_metric('acc', 1e-9)}") == MetricValue("acc", 1e-9)
    # SageMaker's definitions read no NaN, so neither does byoc.
    assert parse_metric(format_metric("acc", float("nan"))) is None
    assert parse_metric("accuracy 0.9") is None


def test_parsed_metrics_are_what_the_definitions_capture():
    lines = [format_metric("train:loss", 0.25, step=3), format_metric("a/b", -1.5e-07),
             format_metric("acc", 1), "noise #byoc-metric x=2 step=9 more"]
    log = "\n".join(["start", *lines, "end"])

    for line in lines:
        metric = parse_metric(line)
        assert metric is not None
        (definition,) = metric_definitions(metric.name)
        assert [float(v) for v in re.findall(definition["Regex"], log)] == [metric.value]

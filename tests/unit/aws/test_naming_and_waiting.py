"""SageMaker resource names, waiting for a status with progress lines, and the hosts of
a job's log streams."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from byoc_toolkit.aws.job_logs import stream_source
from byoc_toolkit.aws.naming import MAX_LENGTH, resource_name, timestamp
from byoc_toolkit.aws.waiting import wait_for


def test_names_keep_to_sagemakers_alphabet_and_length():
    assert resource_name("byoc-test/decision_trees", "20250102-030405") == (
        "byoc-test-decision-trees-20250102-030405")
    long = resource_name("x" * 100, "20250102-030405")
    assert len(long) == MAX_LENGTH and long.endswith("x-20250102-030405")
    assert resource_name("///") == "byoc"
    assert resource_name("decision-trees", "20250102-030405-678", max_length=32) == (
        "decision-tre-20250102-030405-678")
    assert re.fullmatch(r"\d{8}-\d{6}-\d{3}", timestamp())


def test_wait_for_reports_each_change_and_returns_the_final_status():
    answers = iter([("InProgress", "Starting"), ("InProgress", "Starting"),
                    ("InProgress", "Training"), ("Completed", None)])
    lines: list[str] = []

    final = wait_for(lambda: next(answers), {"Completed", "Failed"}, lines.append, interval=0)

    assert final == ("Completed", None)
    assert [line.split(" [")[0] for line in lines] == [
        "InProgress (Starting)", "InProgress (Training)", "Completed"]


def test_wait_for_follows_after_each_poll_and_its_report():
    answers = iter(["InProgress", "Completed"])
    events: list[str] = []

    wait_for(lambda: (events.append("poll") or next(answers), None), {"Completed"},
             lambda line: events.append("report"), interval=0,
             follow=lambda: events.append("follow"))

    assert events == ["poll", "report", "follow", "poll", "report", "follow"]


def test_log_streams_are_named_by_their_host():
    assert stream_source("dt-1", "dt-1/algo-1-1700000000") == "algo-1"
    assert stream_source("dt-1", "dt-1/i-0abc-1700000000/data-log") == "i-0abc/data-log"
    assert stream_source("dt-1", "dt-1/other") == "other"


def test_the_cli_loads_boto3_only_when_it_calls_aws():
    code = "import sys, json, byoc_toolkit.cli.main; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, check=True).stdout)

    assert not {"boto3", "botocore"} & {name.split(".")[0] for name in loaded}

"""SageMaker resource names, and waiting for a status with progress lines."""

from __future__ import annotations

import json
import subprocess
import sys

from byoc_toolkit.aws.naming import MAX_LENGTH, resource_name
from byoc_toolkit.aws.waiting import wait_for


def test_names_keep_to_sagemakers_alphabet_and_length():
    assert resource_name("byoc-test/decision_trees", "20250102-030405") == (
        "byoc-test-decision-trees-20250102-030405")
    long = resource_name("x" * 100, "20250102-030405")
    assert len(long) == MAX_LENGTH and long.endswith("x-20250102-030405")
    assert resource_name("///") == "byoc"


def test_wait_for_reports_each_change_and_returns_the_final_status():
    answers = iter([("InProgress", "Starting"), ("InProgress", "Starting"),
                    ("InProgress", "Training"), ("Completed", None)])
    lines: list[str] = []

    final = wait_for(lambda: next(answers), {"Completed", "Failed"}, lines.append, interval=0)

    assert final == ("Completed", None)
    assert [line.split(" [")[0] for line in lines] == [
        "InProgress (Starting)", "InProgress (Training)", "Completed"]


def test_the_cli_loads_boto3_only_when_it_calls_aws():
    code = "import sys, json, byoc_toolkit.cli.main; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, check=True).stdout)

    assert not {"boto3", "botocore"} & {name.split(".")[0] for name in loaded}

"""How byoc check judges what it measured: the serving clauses from a ServeRun, the entry
point from PID 1, the labels, the 6 MiB body and the report's lines and JSON."""

from __future__ import annotations

import pytest

from byoc_toolkit.conformance.clauses import Clause, Finding, Status
from byoc_toolkit.conformance.containers import Stopped
from byoc_toolkit.conformance.image import ImageFacts, label_findings
from byoc_toolkit.conformance.options import Payload
from byoc_toolkit.conformance.processes import Pid1
from byoc_toolkit.conformance.report import Report
from byoc_toolkit.conformance.serving import (
    LARGE_BODY_BYTES,
    ServeRun,
    entry_point_finding,
    large_body,
    serving_findings,
)
from byoc_toolkit.local.invoking import Response
from byoc_toolkit.serving.messages import Headers

BYOC_IMAGE = ImageFacts("img", ("/opt/venv/bin/byoc",), {
    "com.amazonaws.sagemaker.capabilities.accept-bind-to-port": "true"},
    {"BYOC_PROGRAM": "/opt/program/p.py"})
SHELL_IMAGE = ImageFacts("img", ("/bin/sh", "-c", "python3 server.py"), {}, {})
PAYLOAD = Payload(b"1,2\n3,4\n", "text/csv")
OK = Response(200, b"1\n1\n", Headers({"Content-Type": "text/csv"}))


def good_run(**changes: object) -> ServeRun:
    run = ServeRun(port=23456, read_only_model=True, ready_after=1.5,
                   ping_times=[0.01] * 11, first_invocation=OK, invocation=(OK, 0.02),
                   connect_times=[0.001] * 10, large_body=(LARGE_BODY_BYTES, OK),
                   pid1=Pid1("/opt/venv/bin/python3 /opt/venv/bin/byoc serve", (), True),
                   stopped=Stopped(0.8, 0), last_log_line="ready")
    for name, value in changes.items():
        setattr(run, name, value)
    return run


def verdicts(findings: list[Finding]) -> dict[str, Status]:
    return {finding.clause.id: finding.status for finding in findings}


def test_a_good_run_passes_every_serving_clause() -> None:
    found = verdicts(serving_findings(BYOC_IMAGE, good_run(), None, 240, PAYLOAD))

    assert set(found.values()) == {Status.PASS}
    assert len(found) == 10


@pytest.mark.parametrize("changes, clause, measured", [
    ({"first_invocation": Response(503, b'{"error": "loading"}'), "ready_gap": 2.9},
     Clause.SERVE_READY, 'answered 503 {"error": "loading"}; 200 only 2.9 s later'),
    ({"ping_times": [0.01, 2.4]}, Clause.PING_TIME, "slowest of 2 pings: 2.4 s"),
    ({"connect_times": [0.001, 1.0]}, Clause.ACCEPT_TIME, "slowest of 2 connections: 1.0 s"),
    ({"invocation": (ConnectionResetError("reset"), 0.1)}, Clause.INVOCATIONS,
     "no answer (ConnectionResetError: reset)"),
    ({"large_body": (LARGE_BODY_BYTES, Response(413, b"too large"))}, Clause.LARGE_BODY,
     "6291456 bytes: 413 too large"),
    ({"stopped": Stopped(None, None)}, Clause.SERVE_STOPS, "still running 30 s after SIGTERM"),
    ({"pid1": Pid1("python3 server.py", (), False)}, Clause.ENTRY_POINT,
     "PID 1 `python3 server.py` has no SIGTERM handler"),
])
def test_each_flaw_fails_its_own_clause(changes: dict, clause: Clause, measured: str) -> None:
    findings = serving_findings(BYOC_IMAGE, good_run(**changes), None, 240, PAYLOAD)

    failed = [f for f in findings if f.status is Status.FAIL]
    assert [f.clause for f in failed] == [clause]
    assert measured in failed[0].measured


def test_a_server_on_another_port_fails_startup_and_bind_to_port() -> None:
    run = ServeRun(port=23456, read_only_model=True, other_ports={8080},
                   last_log_line="serving on 8080")
    found = serving_findings(BYOC_IMAGE, run, None, 240, PAYLOAD)

    failed = {f.clause: f.measured for f in found if f.status is Status.FAIL}
    assert failed == {
        Clause.SERVE_STARTS: "no 200 from /ping on port 23456; listening on 8080 instead",
        Clause.BIND_TO_PORT: "listens on 8080, not on SAGEMAKER_BIND_TO_PORT=23456"}


def test_a_server_that_starts_only_with_a_writable_model_dir() -> None:
    read_only = ServeRun(port=1, read_only_model=True, exited=1,
                         last_log_line="OSError: [Errno 30] Read-only file system")
    writable = good_run(read_only_model=False, model_writes=["cache.bin"])
    found = serving_findings(BYOC_IMAGE, read_only, writable, 240, PAYLOAD)

    failed = [f for f in found if f.status is Status.FAIL]
    assert [f.clause for f in failed] == [Clause.READ_ONLY_MODEL]
    assert failed[0].measured == (
        "starts only with a writable /opt/ml/model (it wrote cache.bin); read-only: exited "
        "with status 1 before /ping answered 200: OSError: [Errno 30] Read-only file system")


def test_without_a_payload_the_request_clauses_are_skipped() -> None:
    found = verdicts(serving_findings(BYOC_IMAGE, good_run(), None, 240, None))

    assert [clause for clause, status in found.items() if status is Status.SKIP] == [
        "serve.ready", "serve.invocations", "serve.6mib-body"]


@pytest.mark.parametrize("facts, process, status, measured", [
    (SHELL_IMAGE, Pid1("/bin/sh -c python3 server.py", ("python3 server.py",), False),
     Status.FAIL, "PID 1 is `/bin/sh -c python3 server.py`, a shell that does not pass "
                  "SIGTERM on to `python3 server.py`"),
    (SHELL_IMAGE, Pid1("python3 server.py", (), True), Status.PASS,
     "shell form: PID 1 `python3 server.py` handles SIGTERM"),
    (SHELL_IMAGE, None, Status.FAIL, "/bin/sh starts the command as its child"),
    (BYOC_IMAGE, None, Status.PASS, "exec form: ['/opt/venv/bin/byoc']"),
    (ImageFacts("img", (), {}, {}), Pid1("/usr/local/bin/serve", (), None), Status.PASS,
     "no ENTRYPOINT (`serve` runs as PID 1): PID 1 is `/usr/local/bin/serve`"),
])
def test_the_entry_point(facts: ImageFacts, process: Pid1 | None, status: Status,
                         measured: str) -> None:
    finding = entry_point_finding(facts, process)

    assert finding.status is status
    assert measured in finding.measured


def test_labels_and_what_kind_of_image() -> None:
    assert verdicts(label_findings(BYOC_IMAGE)) == {
        "image.label.accept-bind-to-port": Status.PASS, "image.label.multi-models": Status.SKIP}
    assert verdicts(label_findings(SHELL_IMAGE))["image.label.accept-bind-to-port"] \
        is Status.FAIL
    assert BYOC_IMAGE.byoc_program == "/opt/program/p.py" and BYOC_IMAGE.python == \
        "/opt/venv/bin/python"
    assert SHELL_IMAGE.byoc_program is None and SHELL_IMAGE.shell_form


@pytest.mark.parametrize("content_type, exact", [("text/csv", False),
                                                 ("application/jsonlines", False),
                                                 ("application/json", True)])
def test_the_6_mib_body(content_type: str, exact: bool) -> None:
    body = large_body(Payload(b"1.5,2.25,3\n4,5,6", content_type))

    assert len(body) == LARGE_BODY_BYTES if exact else \
        LARGE_BODY_BYTES - 20 < len(body) <= LARGE_BODY_BYTES
    if not exact:
        assert body.endswith(b"\n") and body.count(b"\n") * 2 == body.count(b",")


def test_the_report_lines_json_and_verdict() -> None:
    findings = [Finding(Clause.SERVE_STOPS, Status.PASS, "ended 0.8 s after SIGTERM"),
                Finding(Clause.ENTRY_POINT, Status.FAIL, "shell form"),
                Finding(Clause.TRAIN_SUCCEEDS, Status.SKIP, "not a byoc image")]
    report = Report.of("img:1", "not a byoc-toolkit image", findings, 12.3)

    lines = report.lines()
    assert lines[0] == "img:1: not a byoc-toolkit image"
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["FAIL", "image.entry-point"], ["SKIP", "train.success"], ["PASS", "serve.sigterm"]]
    assert lines[1].endswith(f"| {Clause.ENTRY_POINT.rule} | {Clause.ENTRY_POINT.source}")
    assert lines[-1] == "1 PASS, 1 FAIL, 1 SKIP in 12 s"
    assert not report.passed
    data = report.as_json()
    assert data["passed"] is False
    assert data["clauses"][0] == {"id": "image.entry-point", "status": "FAIL",
                                  "measured": "shell form", "rule": Clause.ENTRY_POINT.rule,
                                  "source": Clause.ENTRY_POINT.source}

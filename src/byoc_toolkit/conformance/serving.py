"""The serving clauses: ``docker run IMAGE serve`` on a free port given in
SAGEMAKER_BIND_TO_PORT, with /opt/ml/model read-only; health checks, connections and
requests measured, then SIGTERM. Measuring (ServeRun) and judging (serving_findings) are
kept apart."""

from __future__ import annotations

import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import log
from ..local.invoking import Response, request
from ..serving import codecs
from ..serving.media_types import MediaType
from ..testing.ports import free_port
from .clauses import LINE_LIMIT, Clause, Finding, failed, judged, passed, skipped
from .containers import Container, Mount, Stopped
from .image import SHELL_FORM_PREFIX, ImageFacts
from .options import CheckOptions, Payload
from .processes import Pid1, listening_ports, pid1

PING_LIMIT = 2.0
ACCEPT_LIMIT = 0.25
INVOCATION_LIMIT = 60.0
#: InvokeEndpoint's largest body (6291456 bytes).
LARGE_BODY_BYTES = 6 * 1024 * 1024
STOP_LIMIT = 30.0
#: How long a server may listen on other ports only before the check calls it a mismatch.
PORT_GRACE = 10.0
PINGS_AFTER_READY = 10
CONNECTIONS = 10
POLL = 0.05
NEVER_ANSWERED = "the server never answered (see serve.startup)"


@dataclass
class ServeRun:
    """What one ``docker run IMAGE serve`` showed."""

    port: int
    read_only_model: bool
    ready_after: float | None = None
    #: Exit status when the server stopped before it was ready.
    exited: int | None = None
    #: Ports it listened on while not answering on ``port``.
    other_ports: set[int] = field(default_factory=set)
    #: Each /ping after the first 200 (before it, a slow one only delays the start).
    ping_times: list[float] = field(default_factory=list)
    first_invocation: Response | OSError | None = None
    #: Seconds from /ping's first 200 to the first 200 from /invocations.
    ready_gap: float | None = None
    invocation: tuple[Response | OSError, float] | None = None
    connect_times: list[float] = field(default_factory=list)
    large_body: tuple[int, Response | OSError] | None = None
    pid1: Pid1 | None = None
    stopped: Stopped | None = None
    last_log_line: str = ""
    #: Files the server created or changed under a writable model dir.
    model_writes: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.ready_after is not None


def run_server(options: CheckOptions, model_dir: Path, payload: Payload | None,
               *, read_only_model: bool) -> ServeRun:
    run = ServeRun(free_port(), read_only_model)
    before = _snapshot(model_dir)
    env = {**options.env, "SAGEMAKER_BIND_TO_PORT": str(run.port)}
    container = Container.start(options.image, "serve", env=env,
                                mounts=[Mount(model_dir, "/opt/ml/model", read_only_model)])
    try:
        wait_ready(container, run, options.startup_allowance)
        if run.ready:
            _measure(container, run, payload)
            run.stopped = container.stop(STOP_LIMIT)
        run.last_log_line = container.last_log_line()
    finally:
        container.remove()
    run.model_writes = sorted(name for name, stamp in _snapshot(model_dir).items()
                              if before.get(name) != stamp)
    return run


def serve_with_writable_copy(options: CheckOptions, model_dir: Path, payload: Payload | None,
                             work: Path) -> ServeRun:
    """The same on a writable copy of the model: tells a server that needs to write into
    /opt/ml/model from one that does not start at all."""
    copy = work / "writable-model"
    shutil.copytree(model_dir, copy)
    return run_server(options, copy, payload, read_only_model=False)


def wait_ready(container: Container, run: ServeRun, allowance: float) -> None:
    """Ping until a 200 within 2 s, the container exits, it listens elsewhere only, or the
    allowance runs out; what happened is recorded in ``run``."""
    other_since: float | None = None
    next_look = 0.0
    while container.elapsed() < allowance:
        # SageMaker gives each health check 2 s: a later 200 does not count, the next does.
        answer, _ = _timed_request(run.port, "GET", "/ping", timeout=PING_LIMIT)
        if _ok(answer):
            run.ready_after = container.elapsed()
            return
        if container.elapsed() >= next_look:
            next_look = container.elapsed() + 0.5
            run.exited = container.exit_status()
            if run.exited is not None:
                return
            ports = listening_ports(container.id) or set()
            if ports and run.port not in ports:
                run.other_ports = ports
                other_since = other_since or time.monotonic()
                if time.monotonic() - other_since > PORT_GRACE:
                    return
            else:
                other_since = None
        time.sleep(POLL)


def _measure(container: Container, run: ServeRun, payload: Payload | None) -> None:
    if payload is not None:
        log("serving: /invocations right after the first 200 from /ping")
        run.first_invocation = _invoke(run.port, payload.body, payload.content_type)[0]
        if not _ok(run.first_invocation):
            run.ready_gap = _time_until_invocations_work(run.port, payload)
    run.pid1 = pid1(container.id)
    for _ in range(PINGS_AFTER_READY):
        answer, seconds = _timed_request(run.port, "GET", "/ping", timeout=PING_LIMIT * 2.5)
        run.ping_times.append(seconds)
        time.sleep(POLL)
    for _ in range(CONNECTIONS):
        run.connect_times.append(_connect_time(run.port))
        time.sleep(POLL)
    if payload is not None:
        run.invocation = _invoke(run.port, payload.body, payload.content_type)
        body = large_body(payload)
        log(f"serving: a body of {len(body)} bytes")
        run.large_body = (len(body), _invoke(run.port, body, payload.content_type)[0])
    log("serving: SIGTERM")


def serving_findings(facts: ImageFacts, run: ServeRun, writable: ServeRun | None,
                     allowance: float, payload: Payload | None) -> list[Finding]:
    """The serving clauses from the read-only run, or from the writable one when only that
    one started (the read-only clause then says why)."""
    measured = writable if writable is not None and writable.ready else run
    findings = [entry_point_finding(facts, measured.pid1),
                _startup(measured, allowance),
                _bind_to_port(measured),
                _slowest(Clause.PING_TIME, measured.ping_times, PING_LIMIT, "pings"),
                _slowest(Clause.ACCEPT_TIME, measured.connect_times, ACCEPT_LIMIT,
                         "connections")]
    if payload is None:
        reason = "no payload: pass --payload FILE --content-type TYPE"
        findings += [skipped(clause, reason) for clause in
                     (Clause.SERVE_READY, Clause.INVOCATIONS, Clause.LARGE_BODY)]
    else:
        findings += [_ready(measured), _invocations(measured), _large_body(measured)]
    findings += [_read_only(run, writable), _stops(measured)]
    return findings


def entry_point_finding(facts: ImageFacts, process: Pid1 | None) -> Finding:
    """Judged from PID 1 while the server ran, else from the image's configuration."""
    clause = Clause.ENTRY_POINT
    form = ("shell form" if facts.shell_form else
            "exec form" if facts.entry_point else "no ENTRYPOINT (`serve` runs as PID 1)")
    if process is None:
        if facts.shell_form:
            return failed(clause, f"{form}: {SHELL_FORM_PREFIX[0]} starts the command as its "
                                  "child and does not pass SIGTERM on")
        return passed(clause, f"{form}: {list(facts.entry_point)}")
    if process.is_shell and process.children and not process.handles_sigterm:
        return failed(clause, f"{form}: PID 1 is `{_short(process.command)}`, a shell that does "
                              f"not pass SIGTERM on to `{_short(process.children[0])}`")
    if process.handles_sigterm is False:
        return failed(clause, f"{form}: PID 1 `{_short(process.command)}` has no SIGTERM "
                              "handler, and PID 1 ignores signals it does not handle")
    return passed(clause, f"{form}: PID 1 `{_short(process.command)}` handles SIGTERM"
                  if process.handles_sigterm else f"{form}: PID 1 is `{_short(process.command)}`")


def _startup(run: ServeRun, allowance: float) -> Finding:
    if run.ready_after is not None:
        return passed(Clause.SERVE_STARTS,
                      f"/ping 200 after {run.ready_after:.1f} s (allowance {allowance:g} s)")
    return failed(Clause.SERVE_STARTS, _not_ready(run, allowance))


def _not_ready(run: ServeRun, allowance: float) -> str:
    if run.exited is not None:
        return f"exited with status {run.exited} before /ping answered 200: {run.last_log_line}"
    if run.other_ports:
        return (f"no 200 from /ping on port {run.port}; listening on "
                f"{', '.join(map(str, sorted(run.other_ports)))} instead")
    return f"no 200 from /ping within {allowance:g} s: {run.last_log_line}"


def _bind_to_port(run: ServeRun) -> Finding:
    if run.ready:
        return passed(Clause.BIND_TO_PORT, f"served on SAGEMAKER_BIND_TO_PORT={run.port}")
    if run.other_ports:
        ports = ", ".join(map(str, sorted(run.other_ports)))
        return failed(Clause.BIND_TO_PORT,
                      f"listens on {ports}, not on SAGEMAKER_BIND_TO_PORT={run.port}")
    return skipped(Clause.BIND_TO_PORT, NEVER_ANSWERED)


def _slowest(clause: Clause, times: list[float], limit: float, what: str) -> Finding:
    if not times:
        return skipped(clause, NEVER_ANSWERED)
    slowest = max(times)
    return judged(clause, slowest <= limit,
                  f"slowest of {len(times)} {what}: {_seconds(slowest)}")


def _ready(run: ServeRun) -> Finding:
    if run.first_invocation is None:
        return skipped(Clause.SERVE_READY, NEVER_ANSWERED)
    if _ok(run.first_invocation):
        return passed(Clause.SERVE_READY, "the first /invocations after /ping's first 200 "
                                          "answered 200")
    later = (f"200 only {run.ready_gap:.1f} s later" if run.ready_gap is not None
             else f"no 200 within {INVOCATION_LIMIT:g} s")
    return failed(Clause.SERVE_READY, f"the first /invocations after /ping's first 200 "
                                      f"answered {_answer(run.first_invocation)}; {later}")


def _invocations(run: ServeRun) -> Finding:
    if run.invocation is None:
        return skipped(Clause.INVOCATIONS, NEVER_ANSWERED)
    answer, seconds = run.invocation
    return judged(Clause.INVOCATIONS, _ok(answer) and seconds <= INVOCATION_LIMIT,
                  f"{_answer(answer)} in {_seconds(seconds)}")


def _large_body(run: ServeRun) -> Finding:
    if run.large_body is None:
        return skipped(Clause.LARGE_BODY, NEVER_ANSWERED)
    size, answer = run.large_body
    refused = isinstance(answer, OSError) or answer.status == 413
    return judged(Clause.LARGE_BODY, not refused, f"{size} bytes: {_answer(answer)}")


def _read_only(run: ServeRun, writable: ServeRun | None) -> Finding:
    if run.ready:
        return passed(Clause.READ_ONLY_MODEL, "the server ran with /opt/ml/model read-only")
    if writable is None or not writable.ready:
        return skipped(Clause.READ_ONLY_MODEL, "the server did not start with a writable "
                                               "/opt/ml/model either")
    wrote = (f" (it wrote {', '.join(writable.model_writes[:3])})"
             if writable.model_writes else "")
    return failed(Clause.READ_ONLY_MODEL, f"starts only with a writable /opt/ml/model{wrote}; "
                                          f"read-only: {_not_ready(run, 0)}")


def _stops(run: ServeRun) -> Finding:
    if run.stopped is None:
        return skipped(Clause.SERVE_STOPS, NEVER_ANSWERED)
    if run.stopped.seconds is None:
        return failed(Clause.SERVE_STOPS, f"still running {STOP_LIMIT:g} s after SIGTERM")
    return passed(Clause.SERVE_STOPS, f"ended {run.stopped.seconds:.1f} s after SIGTERM "
                                      f"(exit {run.stopped.status})")


def large_body(payload: Payload) -> bytes:
    """The payload repeated to 6 MiB: whole records for line-based types (the largest body of
    whole lines up to the limit), otherwise exactly 6 MiB."""
    body = payload.body if payload.body.endswith(b"\n") else payload.body + b"\n"
    repeated = body * (LARGE_BODY_BYTES // max(len(body), 1) + 1)
    codec = codecs.CODECS.get(MediaType.parse(payload.content_type).essence)
    if codec is not None and codec.line_based:
        return repeated[:repeated.rindex(b"\n", 0, LARGE_BODY_BYTES) + 1]
    return repeated[:LARGE_BODY_BYTES]


def _time_until_invocations_work(port: int, payload: Payload) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < INVOCATION_LIMIT:
        time.sleep(0.25)
        if _ok(_invoke(port, payload.body, payload.content_type)[0]):
            return time.monotonic() - started
    return None


def _invoke(port: int, body: bytes, content_type: str) -> tuple[Response | OSError, float]:
    return _timed_request(port, "POST", "/invocations", body, {"Content-Type": content_type},
                          timeout=INVOCATION_LIMIT + 10)


def _timed_request(port: int, method: str, path: str, body: bytes | None = None,
                   headers: dict[str, str] | None = None, *,
                   timeout: float) -> tuple[Response | OSError, float]:
    started = time.monotonic()
    try:
        answer: Response | OSError = request("127.0.0.1", port, method, path, body, headers,
                                             timeout)
    except OSError as exc:
        answer = exc
    return answer, time.monotonic() - started


def _connect_time(port: int) -> float:
    started = time.monotonic()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except OSError:
        return float("inf")
    return time.monotonic() - started


def _ok(answer: Response | OSError | None) -> bool:
    return isinstance(answer, Response) and answer.status == 200


def _answer(answer: Response | OSError) -> str:
    if isinstance(answer, Response):
        text = answer.text.strip().replace("\n", " ")
        return f"{answer.status} {text[:80]}" if answer.status != 200 else "200"
    return f"no answer ({type(answer).__name__}: {answer})"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _short(command: str) -> str:
    return command if len(command) <= LINE_LIMIT // 2 else command[:LINE_LIMIT // 2] + "..."


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(directory).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in directory.rglob("*") if p.is_file()}

"""The training clauses: ``docker run IMAGE train`` on a tree (the user's --train-dir, or one
generated for a byoc image), once as it is, once with an invalid hyperparameter (byoc images),
and once stopped with SIGTERM while it runs."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..container import docker
from ..contract import Paths
from ..contract.config_files import read_json_object
from ..errors import log
from ..local.job_tree import write_json
from ..training.parameters import ChannelForm
from . import generated
from .clauses import LINE_LIMIT, Clause, Finding, Status, failed, judged, passed, skipped
from .containers import Container, Mount
from .image import ImageFacts
from .options import CheckOptions, Payload
from .probe import TrainSignature

#: StopTrainingJob sends SIGKILL 120 s after SIGTERM.
STOP_LIMIT = 120.0
#: byoc waits up to 60 s for a Pipe-mode FIFO to appear.
READER_LIMIT = 60.0


@dataclass(frozen=True)
class TrainingOutcome:
    findings: list[Finding]
    #: What training wrote into /opt/ml/model, if it succeeded.
    model_dir: Path | None = None
    #: A payload that fits the generated data (byoc images without --train-dir).
    payload: Payload | None = None


@dataclass(frozen=True)
class Job:
    """One training run's directories on the host, mounted where SageMaker puts them."""

    root: Path
    data: Path
    data_read_only: bool

    @property
    def paths(self) -> Paths:
        return Paths(self.root)

    def mounts(self) -> list[Mount]:
        paths = self.paths
        return [Mount(paths.input_config_dir, "/opt/ml/input/config"),
                Mount(self.data, "/opt/ml/input/data", self.data_read_only),
                Mount(paths.model_dir, "/opt/ml/model"),
                Mount(paths.output_dir, "/opt/ml/output")]

    def copy(self, root: Path) -> Job:
        """A fresh run on the same input: config files copied, empty model/ and output/."""
        paths = Paths(root)
        shutil.copytree(self.paths.input_config_dir, paths.input_config_dir)
        for directory in (paths.model_dir, paths.output_dir):
            directory.mkdir(parents=True)
        return Job(root, self.data, self.data_read_only)

    def failure(self) -> str | None:
        path = self.paths.failure_file
        return path.read_text(errors="replace") if path.exists() else None


def check_training(facts: ImageFacts, options: CheckOptions, work: Path) -> TrainingOutcome:
    """The three training clauses, run in ``work``."""
    signature: TrainSignature | str = "only byoc-toolkit images say which hyperparameters " \
                                      "they reject"
    if facts.byoc_program is not None:
        log("reading the program's @train_fn in the image")
        signature = _probe(facts)
    if options.train_dir is not None:
        return _check(options, work, _user_job(options.train_dir, work), signature)
    if facts.byoc_program is None:
        return _skip_all("not a byoc-toolkit image: pass --train-dir (an /opt/ml tree with "
                         "input/config and input/data) to run training")
    if isinstance(signature, str):
        return _skip_all(signature)
    reason = generated.blocker(signature)
    if reason is not None:
        return _skip_all(reason)
    tree = generated.write_tree(work / "generated", signature)
    job = Job(tree.root, tree.paths.input_data_dir, data_read_only=False)
    return _check(options, work, job, signature, generated_data=True)


def _check(options: CheckOptions, work: Path, job: Job, signature: TrainSignature | str,
           *, generated_data: bool = False) -> TrainingOutcome:
    """Trains, trains with an invalid hyperparameter, and stops a training: on generated
    data while it waits on its Pipe-mode input, else halfway through."""
    log("training")
    success, seconds = _train_succeeds(options, job.copy(work / "train"))
    findings = [success]
    if isinstance(signature, str):
        findings.append(skipped(Clause.TRAIN_FAILS_CLEARLY, signature))
    else:
        log("training with an invalid hyperparameter")
        findings.append(_train_fails_clearly(options, job.copy(work / "invalid"), signature))
    log("training, stopped with SIGTERM")
    if generated_data and not isinstance(signature, str):
        findings.append(_train_stops_reading(options, work / "piped", signature))
    else:
        findings.append(_train_stops_midway(options, job.copy(work / "stopped"), seconds))
    trained = success.status is Status.PASS
    return TrainingOutcome(findings, Paths(work / "train").model_dir if trained else None,
                           generated.payload() if generated_data else None)


def _train_succeeds(options: CheckOptions, job: Job) -> tuple[Finding, float | None]:
    container = Container.start(options.image, "train", env=options.env, mounts=job.mounts())
    try:
        status = container.wait(options.training_limit)
        seconds = container.elapsed()
        if status is None:
            return failed(Clause.TRAIN_SUCCEEDS,
                          f"still running after {options.training_limit:g} s"), None
        if status != 0:
            reason = _first_line(job.failure()) or container.last_log_line()
            return failed(Clause.TRAIN_SUCCEEDS, f"exit {status} in {seconds:.1f} s: {reason}"), \
                seconds
        files = _describe_files(job.paths.model_dir)
        return judged(Clause.TRAIN_SUCCEEDS, files is not None,
                      f"exit 0 in {seconds:.1f} s; /opt/ml/model: {files or 'empty'}"), seconds
    finally:
        container.remove()


def _train_fails_clearly(options: CheckOptions, job: Job,
                         signature: TrainSignature) -> Finding:
    invalid = signature.invalid_hyperparameter()
    if invalid is None:
        return skipped(Clause.TRAIN_FAILS_CLEARLY,
                       "the @train_fn takes any hyperparameter and has no typed one")
    name, value = invalid
    hyperparameters = read_json_object(job.paths.hyperparameters_file, default={})
    write_json(job.paths.hyperparameters_file, {**hyperparameters, name: value})
    container = Container.start(options.image, "train", env=options.env, mounts=job.mounts())
    try:
        status = container.wait(options.training_limit)
    finally:
        container.remove()
    given = f"{name}={value!r}"
    if status is None:
        return failed(Clause.TRAIN_FAILS_CLEARLY,
                      f"with {given}: still running after {options.training_limit:g} s")
    reason = _first_line(job.failure())
    if status == 0 or reason is None:
        written = f"output/failure: {reason!r}" if reason else "no output/failure"
        return failed(Clause.TRAIN_FAILS_CLEARLY, f"with {given}: exit {status}, {written}")
    return passed(Clause.TRAIN_FAILS_CLEARLY,
                  f"with {given}: exit {status}, output/failure: {reason!r}")


def _train_stops_reading(options: CheckOptions, root: Path,
                         signature: TrainSignature) -> Finding:
    """Stopped while it waits for its Pipe-mode input: SIGTERM lands at a known point."""
    tree = generated.write_tree(root, signature, piped=True)
    job = Job(tree.root, tree.paths.input_data_dir, data_read_only=False)
    channel = next(c.name for c in signature.channels if c.form is ChannelForm.DATAFRAME)
    fifo = job.data / f"{channel}_0"
    os.mkfifo(fifo)
    container = Container.start(options.image, "train", env=options.env, mounts=job.mounts())
    writer = None
    try:
        deadline = time.monotonic() + READER_LIMIT
        while writer is None and time.monotonic() < deadline:
            writer = _open_writer(fifo)
            if writer is None:
                if container.exit_status() is not None:
                    return failed(Clause.TRAIN_STOPS,
                                  f"training ended (exit {container.exit_status()}) before it "
                                  f"read its Pipe-mode channel {channel}")
                time.sleep(0.05)
        where = (f"while reading its Pipe-mode channel {channel}" if writer is not None
                 else f"after {READER_LIMIT:g} s without reading channel {channel}")
        return _stopped(container, where)
    finally:
        container.remove()
        if writer is not None:
            os.close(writer)


def _train_stops_midway(options: CheckOptions, job: Job, full_run: float | None) -> Finding:
    """Stopped halfway through a run as long as the successful one."""
    delay = full_run / 2 if full_run else 5.0
    container = Container.start(options.image, "train", env=options.env, mounts=job.mounts())
    try:
        status = container.wait(delay)
        if status is not None:
            return skipped(Clause.TRAIN_STOPS, f"training ended by itself (exit {status}) "
                                               f"in {container.elapsed():.1f} s, before "
                                               "SIGTERM was due")
        return _stopped(container, f"{container.elapsed():.1f} s into training")
    finally:
        container.remove()


def _stopped(container: Container, where: str) -> Finding:
    stopped = container.stop(STOP_LIMIT)
    if stopped.seconds is None:
        return failed(Clause.TRAIN_STOPS, f"SIGTERM sent {where}; still running "
                                          f"{STOP_LIMIT:g} s later")
    return passed(Clause.TRAIN_STOPS, f"SIGTERM sent {where}; ended {stopped.seconds:.1f} s "
                                      f"later (exit {stopped.status})")


def _open_writer(fifo: Path) -> int | None:
    """The FIFO's write end once a reader has it open (never blocks)."""
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            return None
        raise


def _probe(facts: ImageFacts) -> TrainSignature | str:
    """The image's @train_fn, or why it cannot be read."""
    command = [docker.executable(), "run", "--rm", "--network", "host", "--entrypoint",
               facts.python, facts.reference, "-m", "byoc_toolkit.conformance.probe"]
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            timeout=300)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return f"cannot read the image's @train_fn: {last}"
    try:
        signature = TrainSignature.from_json(result.stdout.strip().splitlines()[-1])
    except (ValueError, KeyError, IndexError) as exc:
        return f"the image's byoc-toolkit speaks another probe version: {exc}"
    return signature if signature is not None else "the program registers no @train_fn"


def _user_job(train_dir: Path, work: Path) -> Job:
    """The user's tree: its config files copied (the checks change them), its data mounted
    read-only."""
    source = Paths(train_dir)
    paths = Paths(work / "source")
    if source.input_config_dir.is_dir():
        shutil.copytree(source.input_config_dir, paths.input_config_dir)
    else:
        paths.input_config_dir.mkdir(parents=True)
    data = source.input_data_dir
    if not data.is_dir():
        data = paths.input_data_dir
        data.mkdir(parents=True)
    return Job(paths.root, data.resolve(), data_read_only=True)


def _skip_all(reason: str) -> TrainingOutcome:
    return TrainingOutcome([skipped(clause, reason) for clause in
                            (Clause.TRAIN_SUCCEEDS, Clause.TRAIN_FAILS_CLEARLY,
                             Clause.TRAIN_STOPS)])


def _first_line(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    line = text.strip().splitlines()[0]
    return line if len(line) <= LINE_LIMIT else line[:LINE_LIMIT] + "..."


def _describe_files(directory: Path) -> str | None:
    files = [p for p in directory.rglob("*") if p.is_file()] if directory.is_dir() else []
    if not files:
        return None
    size = sum(p.stat().st_size for p in files)
    names = ", ".join(sorted(p.relative_to(directory).as_posix() for p in files)[:3])
    more = f" and {len(files) - 3} more" if len(files) > 3 else ""
    return f"{names}{more} ({size / 1024:.1f} KiB)"

"""``byoc check IMAGE``: any image, built by byoc or not, against SageMaker's container
contract, clause by clause."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ..errors import log
from ..model_artifacts import resolve_model_dir
from .clauses import Clause, Finding, skipped
from .image import ImageFacts, label_findings
from .multi_model import check_multi_model
from .options import CheckOptions
from .report import Report
from .serving import entry_point_finding, run_server, serve_with_writable_copy, serving_findings
from .training import TrainingOutcome, check_training

SERVING_CLAUSES = (Clause.SERVE_STARTS, Clause.SERVE_READY, Clause.PING_TIME,
                   Clause.BIND_TO_PORT, Clause.ACCEPT_TIME, Clause.INVOCATIONS,
                   Clause.LARGE_BODY, Clause.READ_ONLY_MODEL, Clause.SERVE_STOPS,
                   Clause.MULTI_MODEL_API)


def check_image(options: CheckOptions) -> Report:
    """Run every check on ``options.image``; InputError when there is no such image."""
    started = time.monotonic()
    facts = ImageFacts.inspect(options.image)
    findings: list[Finding] = label_findings(facts)
    with tempfile.TemporaryDirectory(prefix="byoc-check-",
                                     ignore_cleanup_errors=True) as scratch:
        work = Path(scratch)
        training = check_training(facts, options, _directory(work / "training"))
        findings += training.findings
        payload = options.payload or training.payload
        model_dir = _model_dir(options, facts, training, work)
        if isinstance(model_dir, str):
            findings.append(entry_point_finding(facts, None))
            findings += [skipped(clause, model_dir) for clause in SERVING_CLAUSES]
        else:
            log("serving")
            run = run_server(options, model_dir, payload, read_only_model=True)
            writable = None
            if not run.ready and not run.other_ports:
                log("serving again, with a writable /opt/ml/model")
                writable = serve_with_writable_copy(options, model_dir, payload, work)
            findings += serving_findings(facts, run, writable, options.startup_allowance,
                                         payload)
            findings.append(check_multi_model(facts, options, model_dir, payload, work))
    return Report.of(options.image, facts.describe(), findings, time.monotonic() - started)


def _model_dir(options: CheckOptions, facts: ImageFacts, training: TrainingOutcome,
               work: Path) -> Path | str:
    """The model to serve, or why there is none."""
    if options.model is not None:
        return resolve_model_dir(options.model, work)
    if training.model_dir is not None:
        return training.model_dir
    if facts.byoc_program is None:
        return _directory(work / "empty-model")
    return "no model to serve: training did not write one; pass --model"


def _directory(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path

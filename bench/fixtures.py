"""The shared inputs: the model `byoc train` makes, the request bodies, and the right answers."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .client import Response
from .peers.bare_wsgi import load_model, predict_csv
from .settings import EXAMPLE_PROGRAM, EXAMPLE_TEST_DIR, PAYLOAD_CSV, VENV_BIN

MB5_BYTES = 5 * 2**20  # a full batch-transform mini-batch (MaxPayloadInMB=5)


@dataclass(frozen=True)
class Fixtures:
    """Paths under the run's work dir, plus each body's expected predictions."""

    trained_root: Path  # an /opt/ml tree with model/model.joblib
    bodies: dict[str, Path]  # "row1", "payload", "rows1000", "mb5" -> CSV file
    expected: dict[str, list[str]]

    @property
    def model_path(self) -> Path:
        return self.trained_root / "model" / "model.joblib"

    def body(self, name: str) -> bytes:
        return self.bodies[name].read_bytes()


def byoc_train(root: Path) -> subprocess.CompletedProcess[str]:
    """``byoc train`` on the decision-tree example, with SAGEMAKER_BASE_DIR=root."""
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(root)}
    return subprocess.run([str(VENV_BIN / "byoc"), "train", "--program", str(EXAMPLE_PROGRAM)],
                          env=env, capture_output=True, text=True, timeout=300)


def fresh_training_root(root: Path) -> Path:
    """A copy of the example's local_test/test_dir, as SageMaker would lay it out."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(EXAMPLE_TEST_DIR, root)
    return root


def build(workdir: Path) -> Fixtures:
    """Train the model with the real command, write the bodies, compute answers in-process."""
    root = fresh_training_root(workdir / "trained")
    done = byoc_train(root)
    if done.returncode != 0:
        raise RuntimeError(f"byoc train failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    rows = PAYLOAD_CSV.read_text().splitlines(keepends=True)
    texts = {"row1": rows[0], "payload": "".join(rows),
             "rows1000": "".join(itertools.islice(itertools.cycle(rows), 1000)),
             "mb5": _fill(rows, MB5_BYTES)}
    bodies = {}
    for name, text in texts.items():
        bodies[name] = workdir / f"{name}.csv"
        bodies[name].write_text(text)
    model = load_model(str(root / "model" / "model.joblib"))
    expected = {name: answer_lines(predict_csv(model, text.encode()))
                for name, text in texts.items()}
    return Fixtures(root, bodies, expected)


def _fill(rows: list[str], limit: int) -> str:
    """Whole rows, cycling through ``rows``, up to ``limit`` bytes."""
    out: list[str] = []
    size = 0
    for row in itertools.cycle(rows):
        if size + len(row) > limit:
            break
        out.append(row)
        size += len(row)
    return "".join(out)


def answer_lines(body: bytes) -> list[str]:
    """Predictions as a list of labels, whatever the stack's line endings or padding."""
    return [line.strip() for line in body.decode().splitlines() if line.strip()]


def check_answer(stack: str, name: str, got: Response, fixtures: Fixtures) -> None:
    """Fail the run unless ``got`` carries the in-process predictions."""
    expected = fixtures.expected[name]
    if got.status != 200:
        raise RuntimeError(f"{stack}: {name} body answered {got.status}: {got.body[:300]!r}")
    lines = answer_lines(got.body)
    if lines != expected:
        pairs = enumerate(zip(lines, expected, strict=False))
        first = next((i for i, (a, b) in pairs if a != b), min(len(lines), len(expected)))
        raise RuntimeError(f"{stack}: wrong answer for the {name} body: {len(lines)} lines "
                           f"(want {len(expected)}); first difference at line {first}: "
                           f"{lines[first:first + 1]} vs {expected[first:first + 1]}")

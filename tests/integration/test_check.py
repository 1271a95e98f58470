"""``byoc check`` on real images: the example passes every clause; small images built to
break one clause each fail that clause, and only that one."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.commands import BYOC, run_byoc
from support.docker import checkout_image, docker
from support.paths import EXAMPLE_TEST_DIR, PAYLOAD_CSV, REPO

from byoc_toolkit.testing import free_port

pytestmark = pytest.mark.docker

SERVER = REPO / "tests" / "images" / "contract_server" / "server.py"
BIND_LABEL = "LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true"
EXEC_FORM = 'ENTRYPOINT ["python3", "/srv/server.py"]'
TRAINING = ("train.success", "train.failure", "train.sigterm")


@dataclass(frozen=True)
class Built:
    """A small image and what ``byoc check`` must say about it."""

    name: str
    lines: tuple[str, ...]
    failing: frozenset[str]
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()


IMAGES = [
    Built("good", (BIND_LABEL, EXEC_FORM), frozenset()),
    # Long enough that SIGTERM, sent halfway through a run as long, finds it training.
    Built("trains", (BIND_LABEL, "ENV TRAIN_SECONDS=6", EXEC_FORM), frozenset(),
          args=("--train-dir", str(EXAMPLE_TEST_DIR))),
    Built("shell-form", (BIND_LABEL, "ENTRYPOINT python3 /srv/server.py serve || exit 1"),
          frozenset({"image.entry-point", "serve.sigterm"})),
    Built("ignores-port", (BIND_LABEL, "ENV FLAWS=ignore-bind-port", EXEC_FORM),
          frozenset({"serve.startup", "serve.bind-to-port"}), env={"PORT": "*"}),
    Built("early-ping", (BIND_LABEL, "ENV FLAWS=ping-before-load LOAD_SECONDS=3", EXEC_FORM),
          frozenset({"serve.ready"})),
    Built("no-label", (EXEC_FORM,), frozenset({"image.label.accept-bind-to-port"})),
    Built("writes-model", (BIND_LABEL, "ENV FLAWS=write-model-dir", EXEC_FORM),
          frozenset({"serve.read-only-model"})),
]


def _build(image: Built, base_image: str, context: Path) -> str:
    tag = checkout_image(f"contract-{image.name}")
    context.mkdir()
    shutil.copy(SERVER, context / "server.py")
    (context / "Dockerfile").write_text("\n".join(
        [f"FROM {base_image}", "COPY server.py /srv/server.py", *image.lines]) + "\n")
    docker("build", "--quiet", "--network", "host", "--tag", tag, str(context), timeout=300)
    return tag


def _check(tag: str, image: Built, payload: Path) -> dict:
    env = [f"--env={name}={free_port() if value == '*' else value}"
           for name, value in image.env.items()]
    result = subprocess.run([BYOC, "check", tag, "--json", "--payload", str(payload),
                             "--content-type", "text/csv", *env, *image.args],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == (1 if image.failing else 0), result.stdout + result.stderr
    report: dict = json.loads(result.stdout)
    return report


@pytest.fixture(scope="module")
def reports(base_image: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every small image built and checked, the checks side by side (the shell-form one
    waits 30 s for SIGTERM to work)."""
    work = tmp_path_factory.mktemp("contract")
    payload = work / "payload.csv"
    payload.write_text("1,2,3\n4,5,6\n")
    tags = {image.name: _build(image, base_image, work / image.name) for image in IMAGES}
    with ThreadPoolExecutor(len(IMAGES)) as pool:
        futures = {image.name: pool.submit(_check, tags[image.name], image, payload)
                   for image in IMAGES}
        return {name: future.result() for name, future in futures.items()}


def _statuses(report: dict) -> dict[str, str]:
    return {clause["id"]: clause["status"] for clause in report["clauses"]}


@pytest.mark.parametrize("image", IMAGES, ids=[image.name for image in IMAGES])
def test_each_small_image_fails_exactly_its_flaws(reports: dict[str, dict],
                                                  image: Built) -> None:
    statuses = _statuses(reports[image.name])

    failing = {clause for clause, status in statuses.items() if status == "FAIL"}
    assert failing == image.failing, reports[image.name]
    assert reports[image.name]["passed"] is not image.failing


def test_a_plain_image_gets_training_checked_only_with_a_train_dir(
        reports: dict[str, dict]) -> None:
    without, trained = _statuses(reports["good"]), _statuses(reports["trains"])

    assert [without[clause] for clause in TRAINING] == ["SKIP"] * 3
    assert [trained[clause] for clause in TRAINING] == ["PASS", "SKIP", "PASS"]
    measured = {c["id"]: c["measured"] for c in reports["trains"]["clauses"]}
    assert measured["train.success"].endswith("/opt/ml/model: model.txt (0.0 KiB)")
    assert "s into training; ended" in measured["train.sigterm"]


def test_the_findings_name_what_was_measured(reports: dict[str, dict]) -> None:
    measured = {name: {c["id"]: c["measured"] for c in report["clauses"]}
                for name, report in reports.items()}

    assert "a shell that does not pass SIGTERM on to `python3 /srv/server.py serve`" in \
        measured["shell-form"]["image.entry-point"]
    assert measured["shell-form"]["serve.sigterm"] == "still running 30 s after SIGTERM"
    assert "not on SAGEMAKER_BIND_TO_PORT=" in measured["ignores-port"]["serve.bind-to-port"]
    assert "answered 503" in measured["early-ping"]["serve.ready"]
    assert "(it wrote cache.bin)" in measured["writes-model"]["serve.read-only-model"]
    assert "Read-only file system" in measured["writes-model"]["serve.read-only-model"]


def test_the_example_image_passes_every_clause_on_its_local_test_data(
        example_image: str) -> None:
    # Without --train-dir byoc check makes up data; test_init.py covers that way.
    result = run_byoc("check", example_image, "--train-dir", str(EXAMPLE_TEST_DIR),
                      "--payload", str(PAYLOAD_CSV), "--content-type", "text/csv",
                      timeout=900)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{example_image}: a byoc-toolkit image (program " \
                       "/opt/program/decision_trees.py)"
    assert len(lines) == 18
    assert all(line.startswith("PASS  ") for line in lines[1:-1]), result.stdout
    assert lines[-1].startswith("16 PASS, 0 FAIL, 0 SKIP in ")
    measured = {line.split()[1]: line for line in lines[1:-1]}
    assert "with max_leaf_nodes='byoc-check: not a valid value': exit 2" in \
        measured["train.failure"]
    assert "s into training; ended" in measured["train.sigterm"]


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = run_byoc("check", "byoc-test-no-such-image:never")
    payload = tmp_path / "p.csv"
    payload.write_text("1\n")
    half = run_byoc("check", "any:image", "--payload", str(payload))

    assert (missing.returncode, missing.stderr.strip()) == (
        2, "Error: no image 'byoc-test-no-such-image:never' in the local Docker engine "
           "(build or pull it first)")
    assert half.returncode == 2 and "--payload and --content-type go together" in half.stderr

"""One benchmark invocation: the fixtures, then every repeat of every stack, then the document."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from byoc_toolkit.testing.ports import free_port

from . import client, density, images, report, training
from .fixtures import Fixtures, build, check_answer
from .loadgen import run_wrk
from .machine import describe
from .processes import ServerProcess
from .readiness import wait_ready
from .settings import Settings
from .stacks import IN_PROCESS, SERVER_STACKS, ServerStack, StackDir
from .workloads import IMAGE, LOAD_WORKLOADS, MULTI_MODEL, TRAIN

Log = Callable[[str], None]
VERIFIED_BODIES = ("row1", "payload", "rows1000", "mb5")

NOTES = (
    "classic: the example's nginx.conf, but listening on 127.0.0.1:<port> and with "
    "client_max_body_size raised from 5m to 6m so the 5 MiB body passes (the original refuses "
    "batch bodies of that size: amazon-sagemaker-examples#2793); the model is model.joblib "
    "loaded with joblib instead of the example's pickle.",
    "sit-mms: sagemaker_inference.model_server.start_model_server() with its properties file "
    "in the stack's directory instead of /etc, its search for the MMS JVM limited to its own "
    "session (it otherwise adopts any MMS server on the machine), and MMS_INFERENCE_ADDRESS/"
    "MMS_MANAGEMENT_ADDRESS binding 127.0.0.1 instead of 0.0.0.0.",
    "in-process: min(c, 2) processes loop on bare-wsgi's predict_csv (np.loadtxt, predict, "
    "join); at c > 2 each process serves c/2 clients in turn, replaying wrk's closed loop.",
    "cold start: from process start; /ping and /invocations polled every 20 ms (1 s probe "
    "timeout); gap = first good /invocations minus first 200 /ping.",
    "memory: RSS sums every process of the stack's session (JVM included); PSS counts pages "
    "shared by forked workers once.",
    "images: the example by `byoc build` and the classic example's image "
    "(peers/classic_image: nginx, gunicorn, Flask, today's numpy/scipy/scikit-learn/pandas in "
    "a venv), both on --base-image; cold start from `docker run IMAGE serve`.",
    "load: wrk, 1 thread, keep-alive where the server allows it (gunicorn sync workers close "
    "each connection); the 5 MiB body is sent one request at a time by the harness.",
)


def run(settings: Settings, log: Log) -> dict:
    """Measure everything ``settings`` selects; return the results document (see report)."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    began = time.monotonic()
    status = _availability(settings.stacks, log)
    active = [s for s in settings.stacks if status[s]["status"] == "ran"]
    image_status = _image_availability(settings, log)
    workdir = Path(tempfile.mkdtemp(prefix="byoc-bench-"))
    # Under root, nginx workers run as nobody and must reach the gunicorn socket in here.
    workdir.chmod(0o755)
    try:
        log("training the model with `byoc train` and writing the request bodies")
        fixtures = build(workdir)
        if "byoc" in active:
            _build_byoc_plugin(log)
        if image_status["status"] == "ran":
            _build_images(settings, image_status, workdir, log)
        runs = [_repeat(r, active, status, image_status, settings, fixtures, workdir, log)
                for r in range(settings.repeats)]
    except BaseException:
        log(f"stack logs kept in {workdir}")
        raise
    failed = [n for n, s in [*status.items(), ("images", image_status)]
              if s["status"] == "failed"]
    if failed:
        log(f"stack logs kept in {workdir}")
    else:
        shutil.rmtree(workdir)
    active = [s for s in active if s not in failed]
    # A failed stack's partial numbers stay in "runs" but out of medians, ratios and targets.
    left_out = {*failed, *(i.group for i in images.IMAGES if "images" in failed)}
    medians = {g: m for g, m in report.medians(runs).items() if g not in left_out}
    doc = {"started_at": started_at, "wall_s": time.monotonic() - began,
           "settings": settings.as_json(), "machine": describe(), "stacks": status,
           "images": image_status,
           "runs": runs, "medians": medians, "ratios": report.ratios(medians, active),
           "targets": [t.judge(medians) for t in report.TARGETS], "failed": failed,
           "notes": list(NOTES)}
    return doc


def _build_byoc_plugin(log: Log) -> None:
    """byoc serve builds its front-end plugin on first use outside an image (an image builds
    it in its Dockerfile): build it now, so that no timed start-up includes the compiler."""
    done = subprocess.run([sys.executable, "-c", "from byoc_toolkit.serving.mms import plugin; "
                           "plugin.locate()"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"building byoc's front-end plugin failed:\n{done.stderr}")
    log(done.stderr.strip() or "byoc's front-end plugin is built")


def _repeat(repeat: int, active: list[str], status: dict[str, dict[str, str | None]],
            image_status: dict[str, str | None], settings: Settings, fixtures: Fixtures,
            workdir: Path, log: Log) -> dict[str, dict[str, float]]:
    """One pass over every stack still standing, then the training; a failure marks status."""
    # Rotate the order so slow drift of the machine does not always hit the same stack.
    shift = repeat % len(active) if active else 0
    sample: dict[str, dict[str, float]] = {}
    for name in active[shift:] + active[:shift]:
        if status[name]["status"] != "ran":
            continue
        tag = f"[run {repeat + 1}/{settings.repeats}] {name}"
        try:
            sample[name] = (_measure_floor(settings, fixtures) if name == IN_PROCESS else
                            _measure_server(SERVER_STACKS[name], settings, fixtures,
                                            workdir / f"{name}-{repeat}", tag, log))
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            # A broken or wrong stack fails the run, but the others are still measured.
            status[name] |= {"status": "failed", "reason": f"{tag}: {exc}"}
            log(f"{tag}: FAILED: {exc}")
            continue
        log(f"{tag}: {_summary(sample[name])}")
    if MULTI_MODEL in settings.workloads:
        _measure_density(repeat, active, status, settings, fixtures, workdir, sample, log)
    if TRAIN in settings.workloads:
        sample["training"] = training.measure(workdir, settings.train_runs)
        log(f"[run {repeat + 1}/{settings.repeats}] training: {_summary(sample['training'])}")
    # Rotated like the stacks, so that drift does not always hit the same image.
    turn = repeat % len(images.IMAGES)
    for image in (images.IMAGES[turn:] + images.IMAGES[:turn]
                  if image_status["status"] == "ran" else ()):
        tag = f"[run {repeat + 1}/{settings.repeats}] {image.group}"
        try:
            ready = images.cold_start(image, settings, fixtures,
                                      workdir / f"{image.name}-image-{repeat}")
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            image_status |= {"status": "failed", "reason": f"{tag}: {exc}"}
            log(f"{tag}: FAILED: {exc}")
            break
        sample[image.group] = ({"image.size_mb": images.size_mb(image.tag)}
                               | _prefixed("cold", ready.as_metrics()))
        log(f"{tag}: {_summary(sample[image.group])}")
    return sample


def _measure_density(repeat: int, active: list[str], status: dict[str, dict[str, str | None]],
                     settings: Settings, fixtures: Fixtures, workdir: Path,
                     sample: dict[str, dict[str, float]], log: Log) -> None:
    """The multi-model stacks loaded with up to settings.models models; joblib's load time
    in-process as the reference."""
    for name in density.multi_model_stacks(active):
        if status[name]["status"] != "ran":
            continue
        tag = f"[run {repeat + 1}/{settings.repeats}] {name} multi-model"
        try:
            metrics = density.measure(SERVER_STACKS[name], fixtures,
                                      workdir / f"{name}-mme-{repeat}", settings.models,
                                      settings.startup_timeout)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            status[name] |= {"status": "failed", "reason": f"{tag}: {exc}"}
            log(f"{tag}: FAILED: {exc}")
            continue
        sample.setdefault(name, {}).update(_prefixed(MULTI_MODEL, metrics))
        log(f"{tag}: {_summary(metrics)}")
    sample.setdefault(IN_PROCESS, {})[f"{MULTI_MODEL}.joblib_load_ms"] = \
        density.joblib_load_ms(fixtures)


def _availability(names: tuple[str, ...], log: Log) -> dict[str, dict[str, str | None]]:
    status: dict[str, dict[str, str | None]] = {}
    for name in names:
        stack = SERVER_STACKS.get(name)
        reason = stack.missing() if stack else None
        summary = stack.summary if stack else "parse, predict, encode in a loop; no HTTP"
        status[name] = {"status": "skipped" if reason else "ran", "summary": summary,
                        "reason": reason}
        if reason:
            log(f"SKIPPING {name}: {reason}")
    if any(n in SERVER_STACKS for n in names) and not shutil.which("wrk"):
        raise RuntimeError("wrk not found; bench/run installs it with apt-get")
    return status


def _image_availability(settings: Settings, log: Log) -> dict[str, str | None]:
    summary = (f"byoc build of the example against the classic example's image, both on "
               f"{settings.base_image}")
    reason = images.missing() if IMAGE in settings.workloads else "not selected"
    if reason and IMAGE in settings.workloads:
        log(f"SKIPPING images: {reason}")
    return {"status": "skipped" if reason else "ran", "summary": summary, "reason": reason}


def _build_images(settings: Settings, image_status: dict[str, str | None], workdir: Path,
                  log: Log) -> None:
    try:
        images.build(settings.base_image, workdir, log)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        image_status |= {"status": "failed", "reason": f"building the images: {exc}"}
        log(f"images: FAILED: {exc}")


def _measure_floor(settings: Settings, fixtures: Fixtures) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for name, workload in LOAD_WORKLOADS.items():
        if name in settings.workloads:
            metrics |= _prefixed(name, workload.in_process(fixtures, settings.duration))
    return metrics


def _measure_server(stack: ServerStack, settings: Settings, fixtures: Fixtures, root: Path,
                    tag: str, log: Log) -> dict[str, float]:
    """Start the stack, time its readiness, check its answers, load it, weigh it, stop it."""
    root.mkdir()
    tmp = root / "tmp"
    tmp.mkdir()
    d = StackDir(root=root, ml=shutil.copytree(fixtures.trained_root, root / "ml"), tmp=tmp,
                 port=free_port())
    launch = stack.prepare(d)
    server = ServerProcess(launch.argv, launch.env, root, root / "server.log")
    try:
        ready = wait_ready(server, d.port, fixtures.body("row1"), settings.startup_timeout)
        metrics = _prefixed("cold", ready.as_metrics())
        for body in VERIFIED_BODIES:
            check_answer(stack.name, body, client.invoke(d.port, fixtures.body(body)), fixtures)
        log(f"{tag}: ready in {ready.invocations_s:.2f} s, answers verified")
        if settings.warmup:
            run_wrk(d.port, fixtures.bodies["row1"], 4, settings.warmup)
        for name, workload in LOAD_WORKLOADS.items():
            if name in settings.workloads:
                metrics |= _prefixed(name, workload.on_server(d.port, fixtures, settings.duration))
        metrics |= _prefixed("memory", server.memory_mib())
    finally:
        server.stop()
    return metrics


def _prefixed(prefix: str, metrics: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}.{k}": v for k, v in metrics.items()}


def _summary(metrics: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in metrics.items())

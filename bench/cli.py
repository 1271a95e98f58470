"""Command-line flags, signal handling, and writing the results."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType

from . import report, runner
from .settings import RESULTS_DIR, Settings
from .stacks import ALL_STACKS
from .workloads import ALL_WORKLOADS

# (full run, --quick): --quick is a smoke run, not a measurement.
DEFAULTS = {"duration": (5, 1), "warmup": (2, 0), "repeats": (3, 1), "train_runs": (3, 1),
            "models": (50, 10)}


def _names(allowed: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    """An argparse type for a comma list of names drawn from ``allowed``."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        unknown = sorted(set(names) - set(allowed))
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}")
        return names
    return parse


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(prog="bench/run", description=(
        "Benchmark byoc serve and byoc train against the peers a user would pick instead; "
        "prints medians, ratios and the targets, and writes JSON."))
    parser.add_argument("--stacks", type=_names(ALL_STACKS), default=ALL_STACKS,
                        help=f"comma list (default all: {','.join(ALL_STACKS)})")
    parser.add_argument("--workloads", type=_names(ALL_WORKLOADS), default=ALL_WORKLOADS,
                        help=f"comma list (default all: {','.join(ALL_WORKLOADS)}); cold start "
                        "and memory are always measured for server stacks")
    parser.add_argument("--duration", type=int, help="seconds per load point (default 5)")
    parser.add_argument("--warmup", type=int, help="seconds of load before timing (default 2)")
    parser.add_argument("--repeats", type=int, help="runs of everything; medians reported "
                        "(default 3)")
    parser.add_argument("--train-runs", type=int, help="timed trainings per run, each way "
                        "(default 3)")
    parser.add_argument("--models", type=int, help="most models loaded at once by the "
                        "multi-model workload: weighed at 1, 10 and 50 of them up to this "
                        "(default 50)")
    parser.add_argument("--startup-timeout", type=float, default=120.0,
                        help="seconds a stack may take to serve after start (default 120)")
    parser.add_argument("--base-image", default=os.environ.get("BYOC_BASE_IMAGE",
                                                               "python:3.11-slim-bookworm"),
                        help="base of both images of the image workload (default "
                        "BYOC_BASE_IMAGE, else python:3.11-slim-bookworm)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 s per point, no "
                        "warm-up, 1 repeat, 1 training each way, up to 10 models")
    parser.add_argument("--output", type=Path, help="JSON path (default "
                        "bench/results/<timestamp>.json)")
    args = parser.parse_args(argv)
    chosen = {k: getattr(args, k) if getattr(args, k) is not None else v[args.quick]
              for k, v in DEFAULTS.items()}
    if min(chosen["duration"], chosen["repeats"], chosen["train_runs"], chosen["models"]) < 1:
        parser.error("--duration, --repeats, --train-runs and --models must be at least 1")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Settings(stacks=args.stacks, workloads=args.workloads,
                    startup_timeout=args.startup_timeout, base_image=args.base_image,
                    output=args.output or RESULTS_DIR / f"{stamp}.json", **chosen)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every server's teardown


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)

    def log(message: str) -> None:
        print(f"bench: {message}", file=sys.stderr, flush=True)

    try:
        doc = runner.run(settings, log)
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    except RuntimeError as exc:
        log(f"FAILED: {exc}")
        return 1
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    settings.output.write_text(json.dumps(doc, indent=2) + "\n")
    print(report.render(doc))
    log(f"results written to {settings.output}")
    if doc["failed"]:
        log(f"FAILED: {', '.join(doc['failed'])} (see the reasons above)")
        return 1
    return 0

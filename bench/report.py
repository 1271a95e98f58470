"""Medians over the runs, ratios, the lead's targets, the printed table and the JSON document."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from .stacks import IN_PROCESS

Medians = dict[str, dict[str, float]]  # group (a stack, or "training") -> metric -> median

# (metric, label, higher is better) in table order.
METRICS = (
    ("row1-c1.p50_ms", "1 row, c=1: p50 ms", False),
    ("row1-c1.p99_ms", "1 row, c=1: p99 ms", False),
    ("row1-c16.rps", "1 row, c=16: req/s", True),
    ("row1-c16.p99_ms", "1 row, c=16: p99 ms", False),
    ("rows1000-c4.p50_ms", "1000 rows, c=4: p50 ms", False),
    ("rows1000-c4.rps", "1000 rows, c=4: req/s", True),
    ("mb5.p50_ms", "5 MiB body: p50 ms", False),
    ("poison-c16.rps", "1 row, c=16, 2 poison req/s: good req/s", True),
    ("poison-c16.failed", "1 row, c=16, 2 poison req/s: valid requests failed", False),
    ("poison-c16.poison_not_4xx", "1 row, c=16, 2 poison req/s: poison not a 4xx", False),
    ("cold.start_s", "cold start -> 1st good /invocations s", False),
    ("cold.ping_s", "cold start -> 1st 200 /ping s", False),
    ("cold.gap_s", "gap /ping ok -> /invocations ok s", False),
    ("memory.rss_mib", "RSS after load MiB (whole tree)", False),
    ("memory.pss_mib", "PSS after load MiB", False),
    ("multi-model.pss_per_model_1_mib", "multi-model, 1 model: PSS per model MiB", False),
    ("multi-model.pss_per_model_10_mib", "multi-model, 10 models: PSS per model MiB", False),
    ("multi-model.pss_per_model_50_mib", "multi-model, 50 models: PSS per model MiB", False),
    ("multi-model.load_to_first_ms", "multi-model: POST /models -> 1st answer ms", False),
    ("multi-model.joblib_load_ms", "joblib.load of the model ms", False),
)
TRAINING = (("byoc_s", "byoc train s"), ("plain_s", "plain script s"),
            ("overhead_s", "byoc overhead s"))
# The image workload's groups (images.py) and their rows.
IMAGE_GROUPS = ("image:byoc", "image:classic")
IMAGE_METRICS = (("image.size_mb", "image size MB"),
                 ("cold.start_s", "docker run -> 1st good /invocations s"),
                 ("cold.ping_s", "docker run -> 1st 200 /ping s"))
# In-process ratios only where the floor measures the same thing (it has no start-up or RSS).
FLOOR_METRICS = tuple(m for m, _, _ in METRICS
                      if not m.startswith(("cold.", "memory.", "multi-model.")))
# The gap is ~0 for honest stacks: a ratio of two polling jitters says nothing.
PEER_METRICS = tuple(m for m, _, _ in METRICS if m != "cold.gap_s")
READY_GAP_LIMIT_S = 0.05  # "zero" within the 20 ms polling of both endpoints


def medians(runs: list[dict[str, dict[str, float]]]) -> Medians:
    """Per group and metric, the median over the runs that measured it."""
    values: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for group, metrics in run.items():
            for metric, value in metrics.items():
                values.setdefault(group, {}).setdefault(metric, []).append(value)
    return {g: {m: statistics.median(v) for m, v in ms.items()} for g, ms in values.items()}


def ratio(med: Medians, metric: str, stack: str, base: str) -> float | None:
    top, bottom = med.get(stack, {}).get(metric), med.get(base, {}).get(metric)
    if top is None or not bottom:
        return None
    return top / bottom


@dataclass(frozen=True)
class Target:
    text: str
    value: Callable[[Medians], float | None]
    at_least: bool  # True: value >= goal; False: value <= goal
    goal: float

    def judge(self, med: Medians) -> dict[str, object]:
        value = self.value(med)
        met = None if value is None else (value >= self.goal if self.at_least
                                          else value <= self.goal)
        return {"target": self.text, "value": value,
                "goal": f"{'>=' if self.at_least else '<='} {self.goal:g}", "met": met}


def _byoc_over(metric: str, peer: str) -> Callable[[Medians], float | None]:
    return lambda med: ratio(med, metric, "byoc", peer)


def _load_over_reference(med: Medians) -> float | None:
    load = med.get("byoc", {}).get("multi-model.load_to_first_ms")
    reference = med.get(IN_PROCESS, {}).get("multi-model.joblib_load_ms")
    if load is None or reference is None:
        return None
    return load / (reference + 50.0)


def _byoc_value(group: str, metric: str) -> Callable[[Medians], float | None]:
    return lambda med: med.get(group, {}).get(metric)


def _byoc_against_itself(metric: str, base: str) -> Callable[[Medians], float | None]:
    """byoc's ``metric`` over its own ``base`` (the same load without the poison)."""

    def value(med: Medians) -> float | None:
        top, bottom = med.get("byoc", {}).get(metric), med.get("byoc", {}).get(base)
        return None if top is None or not bottom else top / bottom

    return value


TARGETS = (
    Target("1 row, c=16: byoc req/s / sit-mms", _byoc_over("row1-c16.rps", "sit-mms"), True, 1.5),
    Target("1 row, c=16: byoc req/s / classic", _byoc_over("row1-c16.rps", "classic"), True, 3),
    Target("1 row, c=16: byoc req/s / bare-wsgi", _byoc_over("row1-c16.rps", "bare-wsgi"),
           True, 0.9),
    Target("1000 rows: byoc p50 / sit-mms", _byoc_over("rows1000-c4.p50_ms", "sit-mms"),
           False, 0.25),
    Target("1000 rows: byoc p50 / in-process", _byoc_over("rows1000-c4.p50_ms", IN_PROCESS),
           False, 1.5),
    Target("5 MiB: byoc p50 / in-process", _byoc_over("mb5.p50_ms", IN_PROCESS), False, 1.5),
    Target("ready means ready: byoc gap s", _byoc_value("byoc", "cold.gap_s"), False,
           READY_GAP_LIMIT_S),
    Target("cold start: byoc / sit-mms", _byoc_over("cold.start_s", "sit-mms"), False, 1.0),
    Target("RSS: byoc / sit-mms", _byoc_over("memory.rss_mib", "sit-mms"), False, 1.0),
    Target("1 row, c=16: byoc req/s with 2 poison req/s / without",
           _byoc_against_itself("poison-c16.rps", "row1-c16.rps"), True, 0.8),
    Target("multi-model PSS per model (most models): byoc / sit-mms", _byoc_over(
        "multi-model.pss_per_model_mib", "sit-mms"), False, 0.2),
    Target("multi-model load to 1st answer: byoc / (joblib.load + 50 ms)",
           _load_over_reference, False, 1.5),
    Target("byoc train overhead over plain script s", _byoc_value("training", "overhead_s"),
           False, 0.5),
    Target("image size: byoc MB", _byoc_value("image:byoc", "image.size_mb"), False, 700),
    Target("image cold start: byoc / classic",
           lambda med: ratio(med, "cold.start_s", *IMAGE_GROUPS), False, 1.0),
)


def ratios(med: Medians, stacks: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    """byoc / each peer on every metric, and each server stack / the in-process floor."""
    out: dict[str, dict[str, dict[str, float]]] = {"byoc_over_peer": {}, "over_in_process": {}}
    for peer in stacks:
        if peer == IN_PROCESS:
            continue
        if peer != "byoc":
            out["byoc_over_peer"][peer] = _ratio_row(med, "byoc", peer, PEER_METRICS)
        out["over_in_process"][peer] = _ratio_row(med, peer, IN_PROCESS, FLOOR_METRICS)
    return out


def _ratio_row(med: Medians, stack: str, base: str, metrics: tuple[str, ...]) -> dict[str, float]:
    row = {m: ratio(med, m, stack, base) for m in metrics}
    return {m: r for m, r in row.items() if r is not None}


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                      for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            for r in [header, *rows]]
    return ["", title, line[0], "-" * len(line[0]), *line[1:]]


def render(doc: dict) -> str:
    """The human-readable report of a results document (see runner.run)."""
    med: Medians = doc["medians"]
    stacks = [s for s, info in doc["stacks"].items() if info["status"] == "ran"]
    out = [f"byoc-toolkit benchmark: medians of {doc['settings']['repeats']} run(s), "
           f"{doc['settings']['workers']} workers everywhere, "
           f"{doc['settings']['duration']} s per load point; wall time {doc['wall_s']:.0f} s"]
    for name, info in [*doc["stacks"].items(), ("images", doc["images"])]:
        about = (info.get("reason") or info["summary"]).splitlines()[0]
        out.append(f"  {name:10} {info['status']:8} {about}")
    rows = [[label, *(_fmt(med.get(s, {}).get(m)) for s in stacks)] for m, label, _ in METRICS]
    out += _table("Medians", ["metric", *stacks], [r for r in rows if set(r[1:]) != {"-"}])
    peers = [s for s in stacks if s not in ("byoc", IN_PROCESS)]
    if "byoc" in stacks and peers:
        rows = [[f"{label} ({'higher' if up else 'lower'} is better)",
                 *(_fmt(doc["ratios"]["byoc_over_peer"][p].get(m)) for p in peers)]
                for m, label, up in METRICS if m in PEER_METRICS]
        out += _table("byoc / peer", ["metric", *peers], [r for r in rows if set(r[1:]) != {"-"}])
    servers = [s for s in stacks if s != IN_PROCESS]
    if IN_PROCESS in stacks and servers:
        rows = [[label, *(_fmt(doc["ratios"]["over_in_process"][s].get(m)) for s in servers)]
                for m, label, _ in METRICS if m in FLOOR_METRICS]
        out += _table("stack / in-process floor (latency: times slower; req/s: share of floor)",
                      ["metric", *servers], [r for r in rows if set(r[1:]) != {"-"}])
    if "training" in med:
        out += _table("Training (wall time per run)", ["", "median"],
                      [[label, _fmt(med["training"].get(k))] for k, label in TRAINING])
    if any(g in med for g in IMAGE_GROUPS):
        out += _table("Images (same base; lower is better)",
                      ["", *(g.split(":")[1] for g in IMAGE_GROUPS), "byoc / classic"],
                      [[label, *(_fmt(med.get(g, {}).get(m)) for g in IMAGE_GROUPS),
                        _fmt(ratio(med, m, *IMAGE_GROUPS))] for m, label in IMAGE_METRICS])
    verdict = {True: "met", False: "NOT met", None: "n/a (not measured)"}
    out += _table("Targets", ["target", "value", "goal", "verdict"],
                  [[t["target"], _fmt(t["value"]), t["goal"], verdict[t["met"]]]
                   for t in doc["targets"]])
    out += ["", *(f"note: {n}" for n in doc["notes"])]
    return "\n".join(out)

"""``byoc check``'s report: one line per clause, or JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .clauses import Clause, Finding, Status


@dataclass(frozen=True)
class Report:
    image: str
    #: What kind of image it is (a byoc-toolkit image and its program, or not).
    description: str
    findings: tuple[Finding, ...]
    seconds: float

    @classmethod
    def of(cls, image: str, description: str, findings: list[Finding],
           seconds: float) -> Report:
        order = list(Clause)
        ordered = sorted(findings, key=lambda finding: order.index(finding.clause))
        return cls(image, description, tuple(ordered), seconds)

    @property
    def passed(self) -> bool:
        return all(finding.status is not Status.FAIL for finding in self.findings)

    def counts(self) -> Counter[Status]:
        return Counter(finding.status for finding in self.findings)

    def lines(self) -> list[str]:
        width = max(len(clause.id) for clause in Clause)
        rows = [f"{finding.status.value}  {finding.clause.id:<{width}}  {finding.measured}"
                f"  | {finding.clause.rule} | {finding.clause.source}"
                for finding in self.findings]
        counts = self.counts()
        summary = ", ".join(f"{counts[status]} {status.value}" for status in Status)
        return [f"{self.image}: {self.description}", *rows,
                f"{summary} in {self.seconds:.0f} s"]

    def as_json(self) -> dict[str, Any]:
        return {"image": self.image, "description": self.description, "passed": self.passed,
                "seconds": round(self.seconds, 1),
                "clauses": [{"id": finding.clause.id, "status": finding.status.value,
                             "measured": finding.measured, "rule": finding.clause.rule,
                             "source": finding.clause.source}
                            for finding in self.findings]}

"""How a distributed job ends: one outcome, decided by the master, the same on every host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import ByocError


class ClusterError(ByocError):
    """The cluster could not form or broke up, or another part of it failed; the message
    names the host (and the rank), ``details`` holds the failing side's traceback."""

    def __init__(self, reason: str, details: str | None = None) -> None:
        super().__init__(reason)
        self.details = details


@dataclass(frozen=True)
class Outcome:
    """A host's result, or the job's: success, or the reason and the details of a failure."""

    ok: bool
    reason: str = ""
    details: str | None = None

    @classmethod
    def failed(cls, reason: str, details: str | None = None) -> Outcome:
        return cls(False, reason, details)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "reason": self.reason, "details": self.details}

    @classmethod
    def from_json(cls, data: Any) -> Outcome:
        if not isinstance(data, dict) or not isinstance(data.get("ok"), bool):
            return cls.failed(f"unreadable result from the coordinator: {data!r}")
        return cls(data["ok"], str(data.get("reason") or ""), data.get("details"))

    def raise_if_failed(self) -> None:
        if not self.ok:
            raise ClusterError(self.reason, self.details)


SUCCESS = Outcome(True)

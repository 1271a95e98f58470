"""What an image's configuration says: its entry point, labels, environment, and whether
byoc-toolkit runs it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..container import docker
from ..errors import InputError
from ..program import PROGRAM_ENV
from .clauses import (
    BIND_TO_PORT_LABEL,
    MULTI_MODELS_LABEL,
    Clause,
    Finding,
    judged,
    passed,
    skipped,
)

#: How docker stores a shell-form ENTRYPOINT.
SHELL_FORM_PREFIX = ("/bin/sh", "-c")
BYOC_ENTRY_POINT = "byoc"


@dataclass(frozen=True)
class ImageFacts:
    reference: str
    entry_point: tuple[str, ...]
    labels: Mapping[str, str]
    env: Mapping[str, str]

    @classmethod
    def inspect(cls, image: str) -> ImageFacts:
        """The image's configuration; an InputError when the engine has no such image."""
        if not docker.image_exists(image):
            raise InputError(f"no image {image!r} in the local Docker engine (build or pull "
                             "it first)")
        config: dict[str, Any] = docker.inspect(image).get("Config") or {}
        env = dict(item.partition("=")[::2] for item in config.get("Env") or [])
        return cls(image, tuple(config.get("Entrypoint") or ()),
                   dict(config.get("Labels") or {}), env)

    @property
    def shell_form(self) -> bool:
        return self.entry_point[:2] == SHELL_FORM_PREFIX

    @property
    def byoc_program(self) -> str | None:
        """The program of a byoc-toolkit image (its entry point is ``byoc``), else None."""
        if not self.entry_point or PurePosixPath(self.entry_point[0]).name != BYOC_ENTRY_POINT:
            return None
        return self.env.get(PROGRAM_ENV)

    @property
    def python(self) -> str:
        """The interpreter beside a byoc entry point (the image's venv)."""
        entry = PurePosixPath(self.entry_point[0])
        return str(entry.with_name("python")) if entry.is_absolute() else "python"

    def has_label(self, name: str) -> bool:
        return self.labels.get(name, "").strip().lower() == "true"

    def describe(self) -> str:
        program = self.byoc_program
        return (f"a byoc-toolkit image (program {program})" if program
                else "not a byoc-toolkit image")


def label_findings(facts: ImageFacts) -> list[Finding]:
    bind = facts.has_label(BIND_TO_PORT_LABEL)
    findings = [judged(Clause.BIND_TO_PORT_LABEL, bind,
                       f"{BIND_TO_PORT_LABEL}={facts.labels.get(BIND_TO_PORT_LABEL, '(absent)')}")]
    if facts.has_label(MULTI_MODELS_LABEL):
        findings.append(passed(Clause.MULTI_MODELS_LABEL,
                               f"{MULTI_MODELS_LABEL}=true: the multi-model API is checked"))
    else:
        findings.append(skipped(Clause.MULTI_MODELS_LABEL,
                                "the image does not claim multi-model endpoints"))
    return findings

"""Splitting docker image references as docker does."""

from __future__ import annotations

import pytest

from byoc_toolkit.container.references import (
    ImageReference,
    ImageReferenceError,
    parse_reference,
)

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


@pytest.mark.parametrize("reference, expected", [
    ("decision-trees", ImageReference(None, "decision-trees", "latest")),
    ("byoc-test/decision-trees:v2", ImageReference(None, "byoc-test/decision-trees", "v2")),
    ("127.0.0.1:5000/team/dt:v1", ImageReference("127.0.0.1:5000", "team/dt", "v1")),
    ("localhost/dt", ImageReference("localhost", "dt", "latest")),
    (f"{ECR}/dt@sha256:{'0' * 64}", ImageReference(ECR, "dt", None, f"sha256:{'0' * 64}")),
])
def test_references_split_into_registry_repository_tag_and_digest(reference, expected):
    assert parse_reference(reference) == expected


def test_the_name_is_the_last_path_component():
    assert parse_reference(f"{ECR}/team/decision-trees:v1").name == "decision-trees"


@pytest.mark.parametrize("reference", ["dt:", "@sha256:00", "dt@", ""])
def test_malformed_references_are_refused(reference):
    with pytest.raises(ImageReferenceError):
        parse_reference(reference)

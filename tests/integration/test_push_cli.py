"""``byoc push`` as a subprocess: the repository and the login come from moto's ECR in server
mode; the image goes to a real local registry (moto's registry endpoint does not exist)."""

from __future__ import annotations

import base64
import json
import urllib.request
import uuid

import pytest
from support.commands import run_byoc
from support.docker import docker

from byoc_toolkit.container.registries import resolve_error
from byoc_toolkit.testing.ports import free_port

pytestmark = pytest.mark.docker

MANIFEST_TYPES = ("application/vnd.docker.distribution.manifest.v2+json, "
                  "application/vnd.oci.image.manifest.v1+json")


@pytest.fixture
def push_env(aws_env, tmp_path):
    """moto for AWS, and a docker config of the test's own, so the login stays out of ~."""
    return {**aws_env, "DOCKER_CONFIG": str(tmp_path / "docker-config")}


@pytest.fixture
def repository():
    return f"byoc-test/pushed-{uuid.uuid4().hex[:8]}"


def push(image, repository, registry, env):
    return run_byoc("push", image, "--repository", repository, "--registry", registry,
                    env=env, timeout=600)


def image_id(image):
    return docker("image", "inspect", "--format", "{{.Id}}", image).stdout.strip()


def registry_digest(registry, repository, tag):
    request = urllib.request.Request(f"http://{registry}/v2/{repository}/manifests/{tag}",
                                     headers={"Accept": MANIFEST_TYPES}, method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["Docker-Content-Digest"]


def test_push_prints_the_ecr_uri_by_digest_and_the_image_pulls_back(
        example_image, registry, repository, push_env, moto_client, tmp_path):
    result = push(example_image, repository, registry, push_env)

    assert result.returncode == 0, result.stderr
    (ecr_repository,) = moto_client("ecr").describe_repositories(
        repositoryNames=[repository])["repositories"]
    digest = registry_digest(registry, repository, "latest")
    assert result.stdout.strip() == f"{ecr_repository['repositoryUri']}@{digest}"
    mirrored = f"{registry}/{repository}@{digest}"
    assert f"byoc: pushed {mirrored} (through --registry)" in result.stderr
    assert "created ECR repository" in result.stderr
    # docker logged in with the password from moto's authorization token.
    config = json.loads((tmp_path / "docker-config" / "config.json").read_text())
    auths = config["auths"]
    assert base64.b64decode(auths[registry]["auth"]).decode().startswith("AWS:")

    docker("rmi", f"{registry}/{repository}:latest")
    docker("pull", mirrored, timeout=300)
    try:
        assert image_id(mirrored) == image_id(example_image)
    finally:
        docker("rmi", mirrored, check=False)


def test_push_reuses_an_existing_repository(example_image, registry, repository, push_env,
                                            moto_client):
    moto_client("ecr").create_repository(repositoryName=repository)

    result = push(example_image, repository, registry, push_env)

    assert result.returncode == 0, result.stderr
    assert "found ECR repository" in result.stderr
    docker("rmi", f"{registry}/{repository}:latest", check=False)


def test_push_of_a_missing_image_fails_before_aws(aws_env):
    result = run_byoc("push", "byoc-test/no-such-image:latest", env=aws_env)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: no local image byoc-test/no-such-image:latest; build it with byoc build")


def test_an_ecr_host_that_does_not_resolve_is_named_with_the_way_out(
        example_image, repository, push_env, moto_client):
    host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"  # moto's registry host
    if resolve_error(host) is None:
        pytest.skip(f"{host} resolves on this machine")

    result = run_byoc("push", example_image, "--repository", repository, env=push_env)

    assert result.returncode == 1
    assert result.stderr.strip().startswith(
        f"Error: the ECR registry {host} does not resolve (")
    assert result.stderr.strip().endswith(
        "; to push through a registry this machine reaches, pass --registry HOST[:PORT]")
    with pytest.raises(moto_client("ecr").exceptions.RepositoryNotFoundException):
        moto_client("ecr").describe_repositories(repositoryNames=[repository])


def test_a_failed_docker_login_names_the_registry(example_image, repository, push_env):
    result = push(example_image, repository, f"127.0.0.1:{free_port()}", push_env)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(
        "Error: docker login to 127.0.0.1:")

"""moto's AWS in server mode, for ``byoc`` subprocesses to call over HTTP as they would call
AWS. A pytest plugin: ``pytest_plugins = ["integration.moto_fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

REGION = "us-east-1"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto server on a free local port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for a ``byoc`` subprocess: every AWS call goes to moto, with fake
    credentials, and no configuration from this machine's ~/.aws."""
    missing = tmp_path_factory.mktemp("aws") / "none"
    return {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": str(missing),
            "AWS_SHARED_CREDENTIALS_FILE": str(missing), **FAKE_CREDENTIALS}


@pytest.fixture
def moto_client(moto_endpoint: str) -> Any:
    """``moto_client("ecr")``: a boto3 client on the moto server, to check what byoc did."""
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=moto_endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return client

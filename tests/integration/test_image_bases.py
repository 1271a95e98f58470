"""The generic Dockerfile on Debian bookworm and trixie bases, with no build args: each image
trains and serves the example on the Java its Debian release has (17 and 21), and the unit
suite passes under trixie's Python 3.13."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from support.docker import (
    BUILD_TIMEOUT,
    SERVING_PORT,
    docker,
    run_in_image,
    serving_container,
    wait_until_container_serves,
)
from support.paths import PAYLOAD_CSV, REPO
from support.serving import invoke

pytestmark = pytest.mark.docker

#: The Java of each Debian release's default-jdk-headless.
JAVA_MAJOR = {"bookworm": "17", "trixie": "21"}
VERSIONS = ('. /etc/os-release; echo "$VERSION_CODENAME";'
            ' python -c "import sys; print(\'%d.%d\' % sys.version_info[:2])";'
            ' java -XshowSettings:properties -version 2>&1'
            ' | sed -n "s/^ *java.specification.version = //p"')


#: The first test to use the trixie image builds it, from its base up.
BUILDS_AN_IMAGE = pytest.mark.timeout(2 * BUILD_TIMEOUT)


@pytest.fixture(params=["bookworm", "trixie"])
def image_on_base(request: pytest.FixtureRequest) -> str:
    fixture = "example_image" if request.param == "bookworm" else "trixie_image"
    return request.getfixturevalue(fixture)


@BUILDS_AN_IMAGE
def test_the_example_trains_and_serves_on_the_bases_java(image_on_base, opt_ml):
    release, python, java = docker("run", "--rm", "--entrypoint", "sh", image_on_base, "-c",
                                   VERSIONS).stdout.split()
    assert java == JAVA_MAJOR[release]
    if release == "trixie":
        assert python == "3.13"

    trained = run_in_image(image_on_base, opt_ml, "train")
    assert trained.returncode == 0, trained.stderr
    with serving_container(image_on_base, opt_ml) as container:
        wait_until_container_serves(container)
        reply = invoke(SERVING_PORT, PAYLOAD_CSV.read_bytes())

    assert reply.status == 200, reply.body
    model = joblib.load(opt_ml / "model" / "model.joblib")
    in_process = model.predict(np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)).tolist()
    assert reply.body.decode().splitlines() == in_process


@BUILDS_AN_IMAGE
def test_the_unit_suite_passes_under_python_3_13(trixie_builder, toolkit_wheel):
    # In the trixie image's builder stage: its venv has the toolkit and its dependencies built
    # for 3.13, so only the test extras are installed here.
    script = (f"/opt/pip/bin/pip --python /opt/venv/bin/python install --quiet"
              f" '/opt/byoc/toolkit/{toolkit_wheel.name}[test]'"
              " && /opt/venv/bin/python --version"
              " && /opt/venv/bin/python -m pytest -q -p no:cacheprovider tests/unit")
    result = docker("run", "--rm", "--network", "host", "--volume", f"{REPO}:/src:ro",
                    "--workdir", "/src", "--env", "PYTHONDONTWRITEBYTECODE=1",
                    "--entrypoint", "sh", trixie_builder, "-c", script,
                    timeout=900, check=False)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert result.stdout.startswith("Python 3.13.")
    assert " passed" in result.stdout.splitlines()[-1]

"""The custom-Dockerfile guide's recipe, taken from the page as it stands (so the docs cannot
drift), built with the example's code dir, then trained and served as SageMaker runs it."""

from __future__ import annotations

import shutil

import pytest
from support.doc_fences import DOCS, fences
from support.docker import (
    BUILD_TIMEOUT,
    SERVING_PORT,
    checkout_image,
    docker,
    run_in_image,
    serving_container,
    wait_until_container_serves,
)
from support.paths import EXAMPLE_DIR, PAYLOAD_CSV
from support.serving import invoke, request

pytestmark = pytest.mark.docker

#: The page that documents the recipe: the one place that names it.
RECIPE_PAGE = DOCS / "guides" / "custom-dockerfiles.md"


def documented_recipe() -> str:
    """The page's ```dockerfile block titled Dockerfile, as it stands."""
    found = [fence for fence in fences(RECIPE_PAGE)
             if fence.lang == "dockerfile" and fence.attributes.get("title") == "Dockerfile"]
    assert len(found) == 1, f"{RECIPE_PAGE.name}: expected one ```dockerfile block titled " \
                            f"Dockerfile, found {len(found)}"
    return found[0].body + "\n"


@pytest.fixture(scope="module")
def recipe_image(base_image, toolkit_wheel, tmp_path_factory) -> str:
    # `pip install byoc-toolkit` must find this checkout's wheel: a base that offers it.
    base_context = tmp_path_factory.mktemp("recipe-base")
    (base_context / "wheels").mkdir()
    shutil.copy2(toolkit_wheel, base_context / "wheels")
    (base_context / "Dockerfile").write_text(
        f"FROM {base_image}\nCOPY wheels /wheels\nENV PIP_FIND_LINKS=/wheels\n")
    base = checkout_image("recipe-base:latest")
    docker("build", "--tag", base, str(base_context))

    code = tmp_path_factory.mktemp("code")
    for name in ("decision_trees.py", "requirements.txt"):
        shutil.copy2(EXAMPLE_DIR / name, code)
    (code / "Dockerfile").write_text(documented_recipe())
    tag = checkout_image("decision-trees:recipe")
    docker("build", "--network", "host", "--tag", tag, "--build-arg", f"BASE_IMAGE={base}",
           str(code), timeout=BUILD_TIMEOUT)
    return tag


@pytest.mark.timeout(2 * BUILD_TIMEOUT)
def test_the_documented_recipe_trains_and_serves_the_example(recipe_image, opt_ml):
    trained = run_in_image(recipe_image, opt_ml, "train")
    assert trained.returncode == 0, trained.stderr
    assert (opt_ml / "model" / "model.joblib").is_file()

    with serving_container(recipe_image, opt_ml) as container:
        wait_until_container_serves(container)
        reply = invoke(SERVING_PORT, PAYLOAD_CSV.read_bytes())
        parameters = request(SERVING_PORT, "GET", "/execution-parameters")

    assert reply.status == 200, reply.body
    assert len(reply.body.decode().splitlines()) == 29
    # Served by byoc's plugin, which the recipe builds.
    assert parameters.status == 200, parameters.body


def test_the_recipes_image_has_no_compiler(recipe_image):
    result = docker("run", "--rm", "--entrypoint", "sh", recipe_image, "-c",
                    "command -v gcc cc || true")

    assert result.stdout == ""

"""Multi-model endpoints: dense (100 models, each forked from the template), hygienic (names,
urls, failed loads unregistered, no process outliving its model under a load/invoke/unload
race), and 507 when a load runs out of memory."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from support.paths import EXAMPLE_PROGRAM, PROGRAMS
from support.serving import ServeProcess, invoke, request, serving, serving_tree

pytestmark = pytest.mark.java

ROW = b"5.1,3.5,1.4,0.2\n"
MULTI_MODEL = {"SAGEMAKER_MULTI_MODEL": "true"}


def load(port: int, name: str, url: str, timeout: float = 120):
    body = json.dumps({"model_name": name, "url": url}).encode()
    return request(port, "POST", "/models", body, {"Content-Type": "application/json"},
                   timeout=timeout)


def only_the_template_left(serve: ServeProcess, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        tree = serving_tree(serve)
        if not (tree.connectors or tree.loaders or tree.forked):
            assert tree.template is not None
            return
        assert time.monotonic() < deadline, (tree, serve.log[-3000:])
        time.sleep(0.1)


@pytest.fixture
def models(tmp_path: Path, trained: Path) -> Path:
    """An /opt/ml root with 100 copies of the example's model under models/."""
    root = tmp_path / "opt_ml"
    for i in range(100):
        shutil.copytree(trained / "model", root / "models" / f"m{i:03d}" / "model")
    return root


def test_100_models_loaded_at_once(models):
    with serving(EXAMPLE_PROGRAM, models, {**MULTI_MODEL, "SAGEMAKER_MODEL_SERVER_WORKERS": "1"}) \
            as serve:
        names = [f"m{i:03d}" for i in range(100)]
        for name in names:
            reply = load(serve.port, name, str(models / "models" / name / "model"))
            assert reply.status == 200, reply.body
        listed = request(serve.port, "GET", "/models").json()
        assert sorted(m["modelName"] for m in listed["models"]) == names
        for name in names:
            reply = invoke(serve.port, ROW, path=f"/models/{name}/invoke")
            assert reply.status == 200 and reply.body.strip() == b"setosa", (name, reply)
        tree = serving_tree(serve)
        assert len(tree.loaders) == 100 and len(tree.connectors) == 100
        # Each model's process is forked from the template, not a new interpreter.
        assert {p.ppid() for p in tree.loaders} == {tree.template.pid}
        for name in names:
            assert request(serve.port, "DELETE", f"/models/{name}").status == 200
        only_the_template_left(serve)


def test_out_of_memory_while_loading_is_507_and_the_others_keep_serving(tmp_path, trained):
    root = tmp_path / "opt_ml"
    for name in ("fine", "huge"):
        shutil.copytree(trained / "model", root / "models" / name / "model")
    (root / "models" / "huge" / "model" / "HUGE").write_text("")
    with serving(PROGRAMS / "memory_hungry.py", root, MULTI_MODEL) as serve:
        assert load(serve.port, "fine", str(root / "models/fine/model")).status == 200
        reply = load(serve.port, "huge", str(root / "models/huge/model"))
        assert reply.status == 507
        assert reply.json() == {"error": "model 'huge' failed to load: MemoryError: this model "
                                         "needs 64 GiB"}
        deadline = time.monotonic() + 10
        while request(serve.port, "GET", "/models/huge").status != 404:
            assert time.monotonic() < deadline, "the failed model stayed registered"
            time.sleep(0.05)
        assert invoke(serve.port, ROW, path="/models/fine/invoke").status == 200
        # The failed loader may still be exiting after its model is unregistered.
        while len(loaders := serving_tree(serve).loaders) != 1:
            assert time.monotonic() < deadline + 10, loaders
            time.sleep(0.05)


def test_names_and_urls_that_cannot_be_served_are_refused_with_the_reason(tmp_path, trained):
    root = tmp_path / "opt_ml"
    model = root / "models" / "m" / "model"
    shutil.copytree(trained / "model", model)
    shutil.copytree(trained / "model", tmp_path / "elsewhere")
    (root / "models" / "link").symlink_to(tmp_path / "elsewhere")
    with serving(EXAMPLE_PROGRAM, root, MULTI_MODEL) as serve:
        refused = {
            ("a/b", str(model)): "model name \"a/b\" cannot be routed",
            ("..", str(model)): "model name \"..\" cannot be routed",
            ("etc", "/etc"): "model url '/etc' is outside the multi-model root",
            ("link", f"{root}/models/link"): "is outside the multi-model root",
            ("up", f"{root}/models/../../"): "Relative path is not allowed",
            ("web", "http://127.0.0.1:9/model.tar.gz"): "is not a path",
        }
        for (name, url), reason in refused.items():
            reply = load(serve.port, name, url)
            assert 400 <= reply.status < 500, (name, reply.status, reply.body)
            assert reason in reply.json()["error"], reply.body
        deadline = time.monotonic() + 10
        while request(serve.port, "GET", "/models").json()["models"]:
            assert time.monotonic() < deadline, request(serve.port, "GET", "/models").body
            time.sleep(0.05)
        # A name that starts with "-" is a name like any other.
        assert load(serve.port, "-dash", str(model)).status == 200
        assert invoke(serve.port, ROW, path="/models/-dash/invoke").status == 200
        assert request(serve.port, "DELETE", "/models/-dash").status == 200
        only_the_template_left(serve)


def test_a_load_invoke_unload_race_leaves_no_process(tmp_path, trained):
    root = tmp_path / "opt_ml"
    model = root / "models" / "race" / "model"
    shutil.copytree(trained / "model", model)
    with serving(EXAMPLE_PROGRAM, root, MULTI_MODEL) as serve:
        stop = threading.Event()
        statuses: dict[str, list[int]] = {"load": [], "invoke": [], "unload": []}

        def loop(kind: str) -> None:
            # multi-model-server holds an invocation of a model it is unloading until the
            # client gives up: short timeouts keep the race going.
            while not stop.is_set():
                try:
                    if kind == "load":
                        status = load(serve.port, "race", str(model), timeout=10).status
                    elif kind == "invoke":
                        status = request(serve.port, "POST", "/models/race/invoke", ROW,
                                         {"Content-Type": "text/csv"}, timeout=10).status
                    else:
                        status = request(serve.port, "DELETE", "/models/race",
                                         timeout=10).status
                except OSError:
                    status = 0
                statuses[kind].append(status)

        threads = [threading.Thread(target=loop, args=(kind,)) for kind in statuses]
        for thread in threads:
            thread.start()
        time.sleep(60)
        stop.set()
        for thread in threads:
            thread.join(120)
        # Unloads spin so fast that most loads are unloaded before they finish (a 500): each
        # unload answered 200 removed a model that was registered.
        assert statuses["unload"].count(200) >= 2, statuses
        request(serve.port, "DELETE", "/models/race")
        only_the_template_left(serve)
        assert load(serve.port, "race", str(model)).status == 200
        assert invoke(serve.port, ROW, path="/models/race/invoke").status == 200

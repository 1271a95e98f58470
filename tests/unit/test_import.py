"""``import byoc_toolkit`` is fast and has no side effects."""

import json
import os
import subprocess
import sys

HEAVY = ("pandas", "numpy", "sklearn", "boto3", "botocore", "sagemaker_training", "joblib",
         "mms", "click")


def test_import_loads_nothing_heavy_and_writes_nothing(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    code = "import sys, json, byoc_toolkit; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "HOME": str(home), "SAGEMAKER_BASE_DIR": str(tmp_path / "opt_ml")}
    out = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True,
                         text=True, check=True).stdout
    loaded = {name.split(".")[0] for name in json.loads(out)}
    assert not loaded & set(HEAVY)
    assert list(home.iterdir()) == [] and list(work.iterdir()) == []
    assert not (tmp_path / "opt_ml").exists()

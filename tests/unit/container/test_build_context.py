"""The context ``byoc build`` prepares: program detection, the copy, the wheel, the args."""

from __future__ import annotations

import pytest

from byoc_toolkit.container.build_context import BuildInputError, find_program, prepare_context


@pytest.fixture
def code_dir(tmp_path):
    code = tmp_path / "code"
    (code / "local_test" / "test_dir").mkdir(parents=True)
    (code / "__pycache__").mkdir()
    (code / "model.py").write_text("from byoc_toolkit import train_fn\n")
    (code / "make_data.py").write_text("import sklearn\n")
    (code / "requirements.txt").write_text("scikit-learn\n")
    (code / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"")
    return code


@pytest.fixture
def context(tmp_path):
    directory = tmp_path / "context"
    directory.mkdir()
    return directory


def test_the_program_is_the_file_that_imports_the_toolkit(code_dir):
    assert find_program(code_dir) == "model.py"


def test_two_candidates_need_an_explicit_program(code_dir):
    (code_dir / "other.py").write_text("import byoc_toolkit\n")

    with pytest.raises(BuildInputError, match=r"model.py, other.py\); pass --program"):
        find_program(code_dir)


def test_context_holds_the_code_without_caches_tests_or_local_test(code_dir, context):
    (code_dir / "tests").mkdir()
    (code_dir / "tests" / "test_model.py").write_text("")

    args = prepare_context(code_dir, None, None, context)

    assert args == {"CODE_DIR": "program", "PROGRAM": "model.py"}
    copied = sorted(p.relative_to(context / "program").as_posix()
                    for p in (context / "program").rglob("*"))
    assert copied == ["make_data.py", "model.py", "requirements.txt"]


def test_a_wheel_goes_into_the_context(code_dir, context, tmp_path):
    wheel = tmp_path / "byoc_toolkit-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK")

    args = prepare_context(code_dir, "model.py", wheel, context)

    assert args["BYOC_WHEEL"] == "toolkit/byoc_toolkit-0.1.0-py3-none-any.whl"
    assert (context / args["BYOC_WHEEL"]).read_bytes() == b"PK"


def test_a_wheel_must_be_a_wheel(code_dir, context, tmp_path):
    with pytest.raises(BuildInputError, match="is not a wheel"):
        prepare_context(code_dir, "model.py", tmp_path / "toolkit.tar.gz", context)


def test_a_named_program_must_exist(code_dir, context):
    with pytest.raises(BuildInputError, match="'train.py' is not a file in"):
        prepare_context(code_dir, "train.py", None, context)


def test_the_code_dirs_dockerignore_applies_to_the_copy(code_dir, context):
    (code_dir / "data").mkdir()
    (code_dir / "data" / "big.csv").write_text("1,2\n")
    (code_dir / "keep.csv").write_text("3,4\n")
    (code_dir / ".dockerignore").write_text("# data stays out\n\n/data\n*.csv\n!keep.csv\n")

    prepare_context(code_dir, None, None, context)

    copied = sorted(p.name for p in (context / "program").iterdir())
    assert copied == ["keep.csv", "make_data.py", "model.py", "requirements.txt"]
    assert not (context / ".dockerignore").exists()


@pytest.mark.parametrize("needed", ["model.py", "requirements.txt"])
def test_what_the_dockerfile_reads_cannot_be_ignored(code_dir, context, needed):
    (code_dir / ".dockerignore").write_text(f"{needed}\n")

    with pytest.raises(BuildInputError, match=f"{needed} is left out by byoc's default ignore "
                                              f"rules or .*; add the line '!{needed}' there"):
        prepare_context(code_dir, "model.py", None, context)
